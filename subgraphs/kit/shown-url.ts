/**
 * A URL-valued setting or address as anything the hub prints may show it (configuration errors,
 * logs, startup lines, readiness checks): its credentials masked. The one place that knows
 * where a URL keeps them — the password of its user information (`mysql://user:***@host`, also
 * in a malformed URL such as `mysql:/user:pw@host`, or a lone token: `nats://***@host`) and query parameters that carry a secret
 * (`?password=***`, `token=`, `secret=`, `key=`, `signature=`, …). Anything else is returned as
 * it is, so that the operator still sees what to fix.
 */
// Up to the last "@" of the value's first word: a password may itself hold "@", "/", "?" or "#"
// unencoded, and masking too much is the safe way to be wrong.
const USERINFO = /^(\s*[a-z][a-z0-9+.-]*:\/*)(\S*)@/i;
const DATABASE_SCHEME = /^\s*(mysql|mariadb|postgres|postgresql):/i;
const SECRET_PARAMETER = /([?&;](?:[a-z0-9_.-]*(?:password|passwd|pwd|pass|token|secret|key|auth|signature|sig|credential)[a-z0-9_.-]*)=)[^&;#\s]*/gi;

export function shownUrl(value: string): string {
  return value
    .replace(USERINFO, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      if (colon !== -1) return `${scheme}${userinfo.slice(0, colon)}:***@`;
      // Alone, it is a database's user name (`mysql://root@host`), or elsewhere a token (`nats://token@host`).
      return `${scheme}${DATABASE_SCHEME.test(scheme) ? userinfo : '***'}@`;
    })
    .replace(SECRET_PARAMETER, '$1***');
}

/**
 * A URL-valued setting or address as anything the hub prints may show it (configuration errors,
 * logs, startup lines, readiness checks): its credentials masked. The one place that knows
 * where a URL keeps them — the password of its user information (`mysql://user:***@host`, also
 * in a malformed URL such as `mysql:/user:pw@host`) and query parameters that carry a secret
 * (`?password=***`, `token=`, `secret=`, `key=`, `signature=`, …). Anything else is returned as
 * it is, so that the operator still sees what to fix.
 */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/*[^\s:@/?#]*):[^\s@/?#]*@/i;
const SECRET_PARAMETER = /([?&;](?:[a-z0-9_.-]*(?:password|passwd|pwd|pass|token|secret|key|auth|signature|sig|credential)[a-z0-9_.-]*)=)[^&;#\s]*/gi;

export function shownUrl(value: string): string {
  return value.replace(USERINFO, '$1:***@').replace(SECRET_PARAMETER, '$1***');
}

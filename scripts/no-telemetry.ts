/** Imported first by every entry point: a government hub phones nowhere. */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

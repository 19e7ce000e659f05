/** Merges resolver maps type by type, so each part of a subgraph brings its own. */
export function mergeResolvers(...maps: Record<string, any>[]): Record<string, any> {
  const merged: Record<string, any> = {};
  for (const map of maps) for (const [type, fields] of Object.entries(map)) merged[type] = { ...merged[type], ...fields };
  return merged;
}

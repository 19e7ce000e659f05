/** What the gateway knows about one request. */
export interface GatewayContext {
  requestId: string;
}

/**
 * The API server's slice of the configuration, parsed with everything else by src/config.ts. Every
 * variable is optional; see docs/http-api.md.
 */

export interface ServeConfig {
  /** FACEBLOG_HTTP_HOST, default 0.0.0.0 (every interface: the API authenticates every call). */
  readonly host: string;
  /** FACEBLOG_HTTP_PORT, default 8080; 0 picks a free port (tests). */
  readonly port: number;
  /** FACEBLOG_MAX_UPLOAD_MB: one uploaded photo, default 20. */
  readonly maxUploadBytes: number;
  /** FACEBLOG_URL_SECONDS: lifetime of thumbnail URLs in answers, default 3600. */
  readonly urlSeconds: number;
  /**
   * FACEBLOG_METRICS_TOKEN: bearer token for /metrics on the API port (at least 16 characters). Unset:
   * the API port serves no metrics (they describe every tenant).
   */
  readonly metricsToken: string | null;
}

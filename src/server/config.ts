/**
 * The server's settings, named as redis-server names them, with its defaults.
 */
export type LogLevelName = "debug" | "verbose" | "notice" | "warning"

export interface ServerConfig {
  readonly port: number
  readonly bind: string
  /** Working directory for the dump file and the append-only log. */
  readonly dir: string
  readonly dbfilename: string
  readonly loglevel: LogLevelName
}

export const defaultServerConfig: ServerConfig = {
  port: 6379,
  bind: "127.0.0.1",
  dir: "./data",
  dbfilename: "dump.rdb",
  loglevel: "notice"
}

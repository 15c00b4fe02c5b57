/**
 * What the blocking-command wire tests share: ioredis connections closed
 * together at the end, and a wait for INFO's `blocked_clients` to read a count.
 */
import { Redis } from "ioredis"

/** Connections to open on a port, all disconnected by `disconnectAll`. */
export const ioredisConnections = () => {
  const open: Array<Redis> = []
  return {
    connect: (port: number, host = "127.0.0.1"): Redis => {
      const client = new Redis({ port, host })
      open.push(client)
      return client
    },
    disconnectAll: (): void => {
      for (const client of open) client.disconnect()
      open.length = 0
    }
  }
}

/**
 * Polls INFO until `blocked_clients` reads `count`. Round trips only, no
 * timers: a client blocks as soon as the server has read its command, so a
 * few round trips on another connection are enough.
 */
export const blockedClients = async (client: Redis, count: number): Promise<void> => {
  for (let attempt = 0; attempt < 2000; attempt++) {
    if ((await client.info("clients")).includes(`blocked_clients:${count}\r\n`)) return
  }
  throw new Error(`blocked_clients never reached ${count}`)
}

/**
 * A raw TCP client for wire tests: send exact bytes, read exact bytes.
 */
import * as Net from "node:net"

export interface RawClient {
  /** Sends bytes as they are. */
  readonly send: (data: string | Buffer) => void
  /** Resolves with everything received once at least `length` bytes arrived. */
  readonly read: (length: number) => Promise<string>
  /** Resolves with everything received when the server closes the connection. */
  readonly closed: Promise<string>
  readonly close: () => void
}

export const connectRaw = (port: number, host = "127.0.0.1"): Promise<RawClient> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host })
    let received = Buffer.alloc(0)
    let waiter: { length: number; resolve: (text: string) => void } | undefined
    const deliver = () => {
      if (waiter !== undefined && received.length >= waiter.length) {
        const text = received.toString("latin1")
        received = Buffer.alloc(0)
        const { resolve: done } = waiter
        waiter = undefined
        done(text)
      }
    }
    const closed = new Promise<string>((resolveClosed) => {
      socket.on("close", () => resolveClosed(received.toString("latin1")))
    })
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk])
      deliver()
    })
    socket.once("error", reject)
    socket.once("connect", () =>
      resolve({
        send: (data) => {
          socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data)
        },
        read: (length) =>
          new Promise((resolveRead) => {
            waiter = { length, resolve: resolveRead }
            deliver()
          }),
        closed,
        close: () => socket.destroy()
      }))
  })

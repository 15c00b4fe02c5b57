/**
 * Raw TCP connections for the differential tests: write request bytes, await
 * a number of whole replies (split by frames.ts), with a timeout naming what
 * did arrive.
 */
import * as Net from "node:net"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { Command } from "../../src/resp/values.js"
import { splitFrames } from "./frames.js"

export interface ReplyConnection {
  /** Writes the bytes in one `write` call. */
  readonly send: (bytes: Uint8Array) => void
  /** The next `count` replies, byte for byte (latin1). */
  readonly replies: (count: number) => Promise<ReadonlyArray<string>>
  readonly close: () => void
}

/** How long to wait for replies before the test calls the server stuck. */
const replyTimeoutMs = 5_000

export const connect = (port: number, name: string): Promise<ReplyConnection> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host: "127.0.0.1" })
    socket.setNoDelay(true)
    let buffered = ""
    let ready: Array<string> = []
    let closed = false
    let waiter: { readonly count: number; readonly done: () => void } | undefined = undefined
    const deliver = () => {
      if (waiter !== undefined && (ready.length >= waiter.count || closed)) waiter.done()
    }
    socket.on("data", (chunk) => {
      const { frames, rest } = splitFrames(buffered + chunk.toString("latin1"))
      buffered = rest
      ready = ready.concat(frames)
      deliver()
    })
    socket.on("close", () => {
      closed = true
      deliver()
    })
    socket.once("error", reject)
    socket.once("connect", () =>
      resolve({
        send: (bytes) => {
          socket.write(bytes)
        },
        replies: (count) =>
          new Promise((resolveReplies, rejectReplies) => {
            const timer = setTimeout(() => {
              waiter = undefined
              rejectReplies(new Error(`${name}: ${ready.length} of ${count} replies after ${replyTimeoutMs} ms`))
            }, replyTimeoutMs)
            waiter = {
              count,
              done: () => {
                clearTimeout(timer)
                waiter = undefined
                const taken = ready.slice(0, count)
                ready = ready.slice(count)
                if (taken.length < count) rejectReplies(new Error(`${name} closed the connection after ${taken.length} of ${count} replies`))
                else resolveReplies(taken)
              }
            }
            deliver()
          }),
        close: () => {
          socket.destroy()
        }
      }))
  })

/**
 * A connection for exchanges whose reply count is not known in advance
 * (pub/sub messages, tracking invalidations): the commands are followed by a
 * PING whose answer marks the end of what they caused.
 */
export interface SentinelConnection {
  /** Sends the commands, then reads every frame up to the sentinel's answer (not included). */
  readonly exchange: (commands: ReadonlyArray<Command>) => Promise<ReadonlyArray<string>>
  readonly close: () => void
}

const sentinel = ["PING", "sentinel"]
const isSentinel = (frame: string): boolean => frame.endsWith("$8\r\nsentinel\r\n")

export const connectWithSentinel = (port: number): Promise<SentinelConnection> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host: "127.0.0.1" })
    socket.setNoDelay(true)
    let buffered = ""
    let frames: Array<string> = []
    let waiter: (() => void) | undefined = undefined
    socket.on("data", (chunk) => {
      const split = splitFrames(buffered + chunk.toString("latin1"))
      buffered = split.rest
      frames = frames.concat(split.frames)
      waiter?.()
    })
    socket.once("error", reject)
    socket.once("connect", () =>
      resolve({
        exchange: (commands) =>
          new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`no sentinel after ${JSON.stringify(commands)}: ${JSON.stringify(frames)}`)), 5000)
            waiter = () => {
              const at = frames.findIndex(isSentinel)
              if (at === -1) return
              const answered = frames.slice(0, at)
              frames = frames.slice(at + 1)
              waiter = undefined
              clearTimeout(timer)
              done(answered)
            }
            socket.write(Buffer.concat([...commands, sentinel].map(encodeCommand)))
          }),
        close: () => socket.destroy()
      }))
  })

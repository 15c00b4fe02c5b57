/**
 * Splitting a RESP2/RESP3 reply stream into its top-level replies, byte for
 * byte (latin1 strings), so the differential tests compare raw bytes.
 */

/** Where the line starting at `start` ends (index of its CR), or undefined when incomplete. */
const lineEnd = (buffer: string, start: number): number | undefined => {
  const end = buffer.indexOf("\r\n", start)
  return end === -1 ? undefined : end
}

/** The index just past the reply starting at `start`, or undefined while incomplete. */
export const frameEnd = (buffer: string, start: number): number | undefined => {
  const end = lineEnd(buffer, start)
  if (end === undefined) return undefined
  const header = buffer.slice(start + 1, end)
  const afterHeader = end + 2
  switch (buffer[start]) {
    case "$":
    case "!":
    case "=": {
      const length = Number(header)
      if (length < 0) return afterHeader
      const bulkEnd = afterHeader + length + 2
      return bulkEnd <= buffer.length ? bulkEnd : undefined
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const count = Number(header)
      const items = buffer[start] === "%" ? 2 * count : buffer[start] === "|" ? 2 * count + 1 : count
      let position: number | undefined = afterHeader
      for (let i = 0; i < items && position !== undefined; i++) position = frameEnd(buffer, position)
      return position
    }
    default:
      return afterHeader
  }
}

/** The complete replies at the start of `buffer`, and the bytes after them. */
export const splitFrames = (buffer: string): { readonly frames: ReadonlyArray<string>; readonly rest: string } => {
  const frames: Array<string> = []
  let position = 0
  for (;;) {
    const end = position < buffer.length ? frameEnd(buffer, position) : undefined
    if (end === undefined) return { frames, rest: buffer.slice(position) }
    frames.push(buffer.slice(position, end))
    position = end
  }
}

/** An aggregate reply's header (`*3`, `%2`, ...) and its elements as frames; undefined for scalars. */
export const aggregateParts = (
  frame: string
): { readonly header: string; readonly items: ReadonlyArray<string> } | undefined => {
  if (!"*~>%".includes(frame[0]) || frame.startsWith("*-1")) return undefined
  const headerEnd = frame.indexOf("\r\n") + 2
  return { header: frame.slice(0, headerEnd), items: splitFrames(frame.slice(headerEnd)).frames }
}

/** The integer a `:` reply carries, or undefined for other replies. */
export const integerValue = (frame: string): bigint | undefined =>
  frame.startsWith(":") ? BigInt(frame.slice(1, -2)) : undefined

/** The text a bulk reply (`$n`) carries, or undefined. */
export const bulkText = (frame: string): string | undefined => {
  if (!frame.startsWith("$") || frame.startsWith("$-1")) return undefined
  const headerEnd = frame.indexOf("\r\n") + 2
  return frame.slice(headerEnd, -2)
}

/** Whether the reply is RESP2's `$-1` / `*-1` or RESP3's `_`. */
export const isNull = (frame: string): boolean => frame === "$-1\r\n" || frame === "*-1\r\n" || frame === "_\r\n"

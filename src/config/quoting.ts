/**
 * Redis's two text forms of argument lists (sds.c): sdssplitargs, which
 * reads a config line (and inline requests), and sdscatrepr, which quotes a
 * string for a config line, MONITOR and SLOWLOG-style output.
 */

const isHexDigit = (char: string): boolean => /^[0-9a-fA-F]$/.test(char)

const simpleEscapes: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" }

/**
 * sdssplitargs: words separated by spaces; "double quotes" with \n \r \t \b
 * \a \xHH escapes, 'single quotes' with only \'. A closing quote must be
 * followed by a space or the end. Undefined on unbalanced quotes.
 */
export const splitArgs = (line: string): ReadonlyArray<string> | undefined => {
  const words: Array<string> = []
  let i = 0
  const isSpace = (char: string | undefined) => char !== undefined && /[ \n\r\t\v\f]/.test(char)
  for (;;) {
    while (isSpace(line[i])) i++
    if (i >= line.length) return words
    let word = ""
    let quote: "\"" | "'" | undefined = undefined
    for (;;) {
      const char = line[i]
      if (quote === "\"") {
        if (char === undefined) return undefined
        if (char === "\\" && line[i + 1] === "x" && isHexDigit(line[i + 2] ?? "") && isHexDigit(line[i + 3] ?? "")) {
          word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16))
          i += 4
        } else if (char === "\\" && line[i + 1] !== undefined) {
          const escaped = line[i + 1]
          word += simpleEscapes[escaped] ?? escaped
          i += 2
        } else if (char === "\"") {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) return undefined
          i++
          break
        } else {
          word += char
          i++
        }
      } else if (quote === "'") {
        if (char === undefined) return undefined
        if (char === "\\" && line[i + 1] === "'") {
          word += "'"
          i += 2
        } else if (char === "'") {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) return undefined
          i++
          break
        } else {
          word += char
          i++
        }
      } else if (char === undefined || isSpace(char)) {
        break
      } else if (char === "\"" || char === "'") {
        quote = char
        i++
      } else {
        word += char
        i++
      }
    }
    words.push(word)
  }
}

const reprEscapes: Readonly<Record<string, string>> = {
  "\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x07": "\\a", "\b": "\\b"
}

/** sdscatrepr: the string in double quotes, escaping quotes, backslashes and non-printable bytes. */
export const representString = (text: string): string => {
  let quoted = "\""
  for (const char of text) {
    const code = char.charCodeAt(0)
    quoted += reprEscapes[char] ??
      (code >= 0x20 && code < 0x7f ? char : `\\x${code.toString(16).padStart(2, "0")}`)
  }
  return quoted + "\""
}

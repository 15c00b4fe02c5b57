/**
 * Redis's glob matching (util.c stringmatchlen, case-sensitive): `*`, `?`,
 * `[abc]`, `[^a]`, `[a-z]` (reversed ranges allowed), `\` escapes; an
 * unterminated `[` matches like a closed one. Byte strings compare by char code.
 */

/** Whether `pattern[p..]` matches `text[t..]`; `giveUp.value` is Redis's skipLongerMatches. */
const matchFrom = (pattern: string, p: number, text: string, t: number, giveUp: { value: boolean }): boolean => {
  while (p < pattern.length && t < text.length) {
    switch (pattern[p]) {
      case "*": {
        while (pattern[p + 1] === "*") p++
        if (p === pattern.length - 1) return true
        while (t < text.length) {
          if (matchFrom(pattern, p + 1, text, t, giveUp)) return true
          if (giveUp.value) return false
          t++
        }
        giveUp.value = true
        return false
      }
      case "?":
        t++
        break
      case "[": {
        p++
        const negated = pattern[p] === "^"
        if (negated) p++
        let matched = false
        for (;;) {
          if (pattern[p] === "\\" && pattern.length - p >= 2) {
            p++
            if (pattern[p] === text[t]) matched = true
          } else if (pattern[p] === "]") {
            break
          } else if (p >= pattern.length) {
            p--
            break
          } else if (pattern.length - p >= 3 && pattern[p + 1] === "-") {
            const bounds = [pattern.charCodeAt(p), pattern.charCodeAt(p + 2)]
            const code = text.charCodeAt(t)
            if (code >= Math.min(...bounds) && code <= Math.max(...bounds)) matched = true
            p += 2
          } else if (pattern[p] === text[t]) {
            matched = true
          }
          p++
        }
        if (matched === negated) return false
        t++
        break
      }
      case "\\":
        if (pattern.length - p >= 2) p++
        if (pattern[p] !== text[t]) return false
        t++
        break
      default:
        if (pattern[p] !== text[t]) return false
        t++
    }
    p++
    if (t === text.length) {
      while (pattern[p] === "*") p++
      break
    }
  }
  return p >= pattern.length && t === text.length
}

export const globMatch = (pattern: string, text: string): boolean => matchFrom(pattern, 0, text, 0, { value: false })

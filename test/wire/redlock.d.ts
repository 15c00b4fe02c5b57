/**
 * redlock 5.0.0-beta.2 ships its types at dist/index.d.ts, which its
 * package.json "exports" does not point to under NodeNext resolution: the
 * part of its API the scripting test uses.
 */
declare module "redlock" {
  import type { Redis } from "ioredis"
  interface Lock {
    release(): Promise<unknown>
  }
  export default class Redlock {
    constructor(clients: Iterable<Redis>, settings?: { readonly retryCount?: number })
    acquire(resources: Array<string>, duration: number): Promise<Lock>
  }
}

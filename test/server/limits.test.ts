/**
 * The pure rules behind admission, authentication and the input side of a
 * connection.
 */
import { describe, expect, it } from "vitest"
import { credentialsValid } from "../../src/commands/auth.js"
import * as Errors from "../../src/errors.js"
import { admissionRefusal, isLoopbackPeer } from "../../src/server/admission.js"
import { authRequired } from "../../src/commands/guards/auth.js"
import { defaultServerConfig } from "../../src/config/config.js"
import { isIdle, requestLimits } from "../../src/server/input.js"
import { testSession } from "../commands/helpers.js"

const config = { ...defaultServerConfig, maxclients: 2 }

describe("admission", () => {
  it("refuses past maxclients, counting the clients already connected", () => {
    expect(admissionRefusal(config, 1, "127.0.0.1")).toBeUndefined()
    expect(admissionRefusal(config, 2, "127.0.0.1")).toBe(Errors.maxClientsReached)
  })

  it("protected mode refuses peers other than 127.0.0.1 and ::1 while no password is set", () => {
    for (const peer of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) expect(isLoopbackPeer(peer)).toBe(true)
    for (const peer of ["127.0.0.2", "10.0.0.1", "::ffff:10.0.0.1"]) expect(isLoopbackPeer(peer)).toBe(false)
    expect(admissionRefusal(config, 0, "10.0.0.1")).toBe(Errors.protectedModeDenied)
    expect(admissionRefusal({ ...config, requirepass: "p" }, 0, "10.0.0.1")).toBeUndefined()
    expect(admissionRefusal({ ...config, protectedMode: false }, 0, "10.0.0.1")).toBeUndefined()
  })
})

describe("authentication rules", () => {
  it("the default user takes any password without requirepass, only the password with it", () => {
    expect(credentialsValid(undefined, "default", "anything")).toBe(true)
    expect(credentialsValid(undefined, "bob", "anything")).toBe(false)
    expect(credentialsValid("secret", "default", "secret")).toBe(true)
    expect(credentialsValid("secret", "default", "secreT")).toBe(false)
    expect(credentialsValid("secret", "Default", "secret")).toBe(false)
  })

  it("requires AUTH only while a password is set and the session has not given it", () => {
    const session = { ...testSession(), authenticated: false }
    expect(authRequired(defaultServerConfig, session)).toBe(false)
    expect(authRequired({ ...defaultServerConfig, requirepass: "p" }, session)).toBe(true)
    expect(authRequired({ ...defaultServerConfig, requirepass: "p" }, { ...session, authenticated: true })).toBe(false)
  })
})

describe("connection input rules", () => {
  it("the decoder gets proto-max-bulk-len, and the unauthenticated limits while AUTH is required", () => {
    const locked = { ...defaultServerConfig, requirepass: "p", protoMaxBulkLen: 2 * 1024 * 1024 }
    expect(requestLimits(locked, { ...testSession(), authenticated: false })).toMatchObject({
      maxBulkLength: 2 * 1024 * 1024,
      unauthenticated: true
    })
    expect(requestLimits(locked, testSession()).unauthenticated).toBe(false)
  })

  it("a connection is idle once more than `timeout` seconds passed since its last input; 0 never", () => {
    expect(isIdle({ ...defaultServerConfig, timeout: 0 }, 0, 1e9)).toBe(false)
    expect(isIdle({ ...defaultServerConfig, timeout: 2 }, 1000, 3000)).toBe(false)
    expect(isIdle({ ...defaultServerConfig, timeout: 2 }, 1000, 3001)).toBe(true)
  })
})

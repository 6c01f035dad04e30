/**
 * The parts of undici this action uses, each loaded from its own module rather than from the
 * package's index: the index loads all of undici (fetch, WebSocket, caches, mocks…) and costs a
 * run about 45 ms of start-up before its first request (measured with `npm run bench`), where
 * these parts cost about a third of that. Like the index, this gives every dispatcher its API
 * methods (request(), and connect(), which a ProxyAgent's tunnel uses). The types are the
 * package's own. If a new undici moves these files, the bundle fails to build, and CI says so.
 */
import type { Dispatcher } from 'undici'
import api from 'undici/lib/api/index.js'
import buildConnector from 'undici/lib/core/connect.js'
import errors from 'undici/lib/core/errors.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import DispatcherBase from 'undici/lib/dispatcher/dispatcher.js'
import Pool from 'undici/lib/dispatcher/pool.js'
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js'

Object.assign(DispatcherBase.prototype, api)

export { Agent, Pool, ProxyAgent, buildConnector, errors, type Dispatcher }
/** The instance types, under the names the package gives them. */
export type AgentInstance = InstanceType<typeof Agent>
export type ProxyAgentInstance = InstanceType<typeof ProxyAgent>
export type PoolOptions = import('undici').Pool.Options

/** undici's FormData (the only one its requests accept), loaded when a form is first sent. */
export async function formData(): Promise<typeof import('undici').FormData> {
  const { FormData } = await import('undici/lib/web/fetch/formdata.js')
  return FormData
}

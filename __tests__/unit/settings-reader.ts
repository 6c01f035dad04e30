/**
 * How the settings tests read an entry's inputs: from a plain object, every value masked noted,
 * and a refusal's one error returned as the step would print it.
 */
import { expect } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import type { InputSource } from '../../src/lifecycle/run.js'

export function settingsReader<S>(read: (source: InputSource) => S, env: NodeJS.ProcessEnv = {}) {
  const reader = (inputs: Record<string, string>) => {
    const masked: string[] = []
    const run = () => read({ getInput: name => inputs[name] ?? '', setSecret: value => masked.push(value), env })
    return { run, masked }
  }
  /** The one error a refused set of inputs ends with. */
  const refusal = (inputs: Record<string, string>): string => {
    try {
      reader(inputs).run()
    } catch (error) {
      expect(error).toBeInstanceOf(ActionError)
      return String(error)
    }
    throw new Error('accepted')
  }
  return { read: reader, refusal }
}

// The direction of imports in src/, checked in CI (npm run check:imports). A verb (an entry
// point's folder) is the top; it composes the pipeline and the phases; what verbs share lies
// below them and never reaches back up. The layers, top to bottom:
//   verbs     src/export, src/import, src/deploy     each an entry point: index.ts calls its run()
//   pipeline  src/pipeline                          one tool's export, which two verbs run
//   phases    src/download, src/extract, src/artifact
//   shared    src/lifecycle, src/report, src/settings, src/platform, src/tool-export, src/http,
//             and the few files at src/'s top
const VERBS = '^src/(export|import|deploy)/'
const PIPELINE = '^src/pipeline/'
const PHASES = '^src/(download|extract|artifact)/'
const SHARED = '^src/(lifecycle|report|settings|platform|tool-export|http)/|^src/[^/]+[.]ts$'

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules that import each other cannot be read, tested or moved one at a time.',
      from: {},
      to: { circular: true }
    },
    {
      name: 'no-verb-to-verb',
      severity: 'error',
      comment: 'A verb never imports another: what two verbs need is a shared layer below both.',
      from: { path: VERBS },
      to: { path: VERBS, pathNot: '^src/$1/' }
    },
    {
      name: 'no-entry-file-imports',
      severity: 'error',
      comment: "An entry point's index.ts only calls its run(); nothing imports it.",
      from: {},
      to: { path: '^src/[^/]+/index[.]ts$' }
    },
    {
      name: 'pipeline-below-verbs',
      severity: 'error',
      comment: 'The pipeline is what verbs run; it knows none of them.',
      from: { path: PIPELINE },
      to: { path: VERBS }
    },
    {
      name: 'phases-below-the-pipeline',
      severity: 'error',
      comment: 'A phase does its one job; the pipeline and the verbs put phases together.',
      from: { path: PHASES },
      to: { path: `${VERBS}|${PIPELINE}` }
    },
    {
      name: 'no-phase-to-phase',
      severity: 'error',
      comment: 'Sibling phases share only through the shared layers (what a tool export is lives in tool-export/).',
      from: { path: PHASES },
      to: { path: PHASES, pathNot: '^src/$1/' }
    },
    {
      name: 'shared-never-reaches-up',
      severity: 'error',
      comment: 'What verbs share lies below them: it never imports a verb, the pipeline or a phase.',
      from: { path: SHARED },
      to: { path: `${VERBS}|${PIPELINE}|${PHASES}` }
    },
    {
      name: 'http-knows-nothing-above',
      severity: 'error',
      comment: "http/ knows neither the platform's answers nor the action's inputs: callers add the meaning.",
      from: { path: '^src/http/' },
      to: { path: '^src/', pathNot: '^src/http/|^src/errors[.]ts$|^src/log-text[.]ts$' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js']
    }
  }
}

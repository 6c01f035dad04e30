export const id = 916;
export const ids = [916];
export const modules = {

/***/ 62916:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  describeChanges: () => (/* reexport */ describeChanges),
  extractExport: () => (/* binding */ extractExport)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/tool-export/env-variables.ts
var env_variables = __webpack_require__(72328);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
;// CONCATENATED MODULE: ./node_modules/diff/libesm/diff/base.js
class Diff {
    diff(oldStr, newStr, 
    // Type below is not accurate/complete - see above for full possibilities - but it compiles
    options = {}) {
        let callback;
        if (typeof options === 'function') {
            callback = options;
            options = {};
        }
        else if ('callback' in options) {
            callback = options.callback;
        }
        // Allow subclasses to massage the input prior to running
        const oldString = this.castInput(oldStr, options);
        const newString = this.castInput(newStr, options);
        const oldTokens = this.removeEmpty(this.tokenize(oldString, options));
        const newTokens = this.removeEmpty(this.tokenize(newString, options));
        return this.diffWithOptionsObj(oldTokens, newTokens, options, callback);
    }
    diffWithOptionsObj(oldTokens, newTokens, options, callback) {
        var _a;
        const done = (value) => {
            value = this.postProcess(value, options);
            if (callback) {
                setTimeout(function () { callback(value); }, 0);
                return undefined;
            }
            else {
                return value;
            }
        };
        const newLen = newTokens.length, oldLen = oldTokens.length;
        let editLength = 1;
        let maxEditLength = newLen + oldLen;
        if (options.maxEditLength != null) {
            maxEditLength = Math.min(maxEditLength, options.maxEditLength);
        }
        const maxExecutionTime = (_a = options.timeout) !== null && _a !== void 0 ? _a : Infinity;
        const abortAfterTimestamp = Date.now() + maxExecutionTime;
        const bestPath = [{ oldPos: -1, lastComponent: undefined }];
        // Seed editLength = 0, i.e. the content starts with the same values
        let newPos = this.extractCommon(bestPath[0], newTokens, oldTokens, 0, options);
        if (bestPath[0].oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
            // Identity per the equality and tokenizer
            return done(this.buildValues(bestPath[0].lastComponent, newTokens, oldTokens));
        }
        // Once we hit the right edge of the edit graph on some diagonal k, we can
        // definitely reach the end of the edit graph in no more than k edits, so
        // there's no point in considering any moves to diagonal k+1 any more (from
        // which we're guaranteed to need at least k+1 more edits).
        // Similarly, once we've reached the bottom of the edit graph, there's no
        // point considering moves to lower diagonals.
        // We record this fact by setting minDiagonalToConsider and
        // maxDiagonalToConsider to some finite value once we've hit the edge of
        // the edit graph.
        // This optimization is not faithful to the original algorithm presented in
        // Myers's paper, which instead pointlessly extends D-paths off the end of
        // the edit graph - see page 7 of Myers's paper which notes this point
        // explicitly and illustrates it with a diagram. This has major performance
        // implications for some common scenarios. For instance, to compute a diff
        // where the new text simply appends d characters on the end of the
        // original text of length n, the true Myers algorithm will take O(n+d^2)
        // time while this optimization needs only O(n+d) time.
        let minDiagonalToConsider = -Infinity, maxDiagonalToConsider = Infinity;
        // Main worker method. checks all permutations of a given edit length for acceptance.
        const execEditLength = () => {
            for (let diagonalPath = Math.max(minDiagonalToConsider, -editLength); diagonalPath <= Math.min(maxDiagonalToConsider, editLength); diagonalPath += 2) {
                let basePath;
                const removePath = bestPath[diagonalPath - 1], addPath = bestPath[diagonalPath + 1];
                if (removePath) {
                    // No one else is going to attempt to use this value, clear it
                    // @ts-expect-error - perf optimisation. This type-violating value will never be read.
                    bestPath[diagonalPath - 1] = undefined;
                }
                let canAdd = false;
                if (addPath) {
                    // what newPos will be after we do an insertion:
                    const addPathNewPos = addPath.oldPos - diagonalPath;
                    canAdd = addPath && 0 <= addPathNewPos && addPathNewPos < newLen;
                }
                const canRemove = removePath && removePath.oldPos + 1 < oldLen;
                if (!canAdd && !canRemove) {
                    // If this path is a terminal then prune
                    // @ts-expect-error - perf optimisation. This type-violating value will never be read.
                    bestPath[diagonalPath] = undefined;
                    continue;
                }
                // Select the diagonal that we want to branch from. We select the prior
                // path whose position in the old string is the farthest from the origin
                // and does not pass the bounds of the diff graph
                if (!canRemove || (canAdd && removePath.oldPos < addPath.oldPos)) {
                    basePath = this.addToPath(addPath, true, false, 0, options);
                }
                else {
                    basePath = this.addToPath(removePath, false, true, 1, options);
                }
                newPos = this.extractCommon(basePath, newTokens, oldTokens, diagonalPath, options);
                if (basePath.oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
                    // If we have hit the end of both strings, then we are done
                    return done(this.buildValues(basePath.lastComponent, newTokens, oldTokens)) || true;
                }
                else {
                    bestPath[diagonalPath] = basePath;
                    if (basePath.oldPos + 1 >= oldLen) {
                        maxDiagonalToConsider = Math.min(maxDiagonalToConsider, diagonalPath - 1);
                    }
                    if (newPos + 1 >= newLen) {
                        minDiagonalToConsider = Math.max(minDiagonalToConsider, diagonalPath + 1);
                    }
                }
            }
            editLength++;
        };
        // Performs the length of edit iteration. Is a bit fugly as this has to support the
        // sync and async mode which is never fun. Loops over execEditLength until a value
        // is produced, or until the edit length exceeds options.maxEditLength (if given),
        // in which case it will return undefined.
        if (callback) {
            (function exec() {
                setTimeout(function () {
                    if (editLength > maxEditLength || Date.now() > abortAfterTimestamp) {
                        return callback(undefined);
                    }
                    if (!execEditLength()) {
                        exec();
                    }
                }, 0);
            }());
        }
        else {
            while (editLength <= maxEditLength && Date.now() <= abortAfterTimestamp) {
                const ret = execEditLength();
                if (ret) {
                    return ret;
                }
            }
        }
    }
    addToPath(path, added, removed, oldPosInc, options) {
        const last = path.lastComponent;
        if (last && !options.oneChangePerToken && last.added === added && last.removed === removed) {
            return {
                oldPos: path.oldPos + oldPosInc,
                lastComponent: { count: last.count + 1, added: added, removed: removed, previousComponent: last.previousComponent }
            };
        }
        else {
            return {
                oldPos: path.oldPos + oldPosInc,
                lastComponent: { count: 1, added: added, removed: removed, previousComponent: last }
            };
        }
    }
    extractCommon(basePath, newTokens, oldTokens, diagonalPath, options) {
        const newLen = newTokens.length, oldLen = oldTokens.length;
        let oldPos = basePath.oldPos, newPos = oldPos - diagonalPath, commonCount = 0;
        while (newPos + 1 < newLen && oldPos + 1 < oldLen && this.equals(oldTokens[oldPos + 1], newTokens[newPos + 1], options)) {
            newPos++;
            oldPos++;
            commonCount++;
            if (options.oneChangePerToken) {
                basePath.lastComponent = { count: 1, previousComponent: basePath.lastComponent, added: false, removed: false };
            }
        }
        if (commonCount && !options.oneChangePerToken) {
            basePath.lastComponent = { count: commonCount, previousComponent: basePath.lastComponent, added: false, removed: false };
        }
        basePath.oldPos = oldPos;
        return newPos;
    }
    equals(left, right, options) {
        if (options.comparator) {
            return options.comparator(left, right);
        }
        else {
            return left === right
                || (!!options.ignoreCase && left.toLowerCase() === right.toLowerCase());
        }
    }
    removeEmpty(array) {
        const ret = [];
        for (let i = 0; i < array.length; i++) {
            if (array[i]) {
                ret.push(array[i]);
            }
        }
        return ret;
    }
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    castInput(value, options) {
        return value;
    }
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    tokenize(value, options) {
        return Array.from(value);
    }
    join(chars) {
        // Assumes ValueT is string, which is the case for most subclasses.
        // When it's false, e.g. in diffArrays, this method needs to be overridden (e.g. with a no-op)
        // Yes, the casts are verbose and ugly, because this pattern - of having the base class SORT OF
        // assume tokens and values are strings, but not completely - is weird and janky.
        return chars.join('');
    }
    postProcess(changeObjects, 
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    options) {
        return changeObjects;
    }
    get useLongestToken() {
        return false;
    }
    buildValues(lastComponent, newTokens, oldTokens) {
        // First we convert our linked list of components in reverse order to an
        // array in the right order:
        const components = [];
        let nextComponent;
        while (lastComponent) {
            components.push(lastComponent);
            nextComponent = lastComponent.previousComponent;
            delete lastComponent.previousComponent;
            lastComponent = nextComponent;
        }
        components.reverse();
        const componentLen = components.length;
        let componentPos = 0, newPos = 0, oldPos = 0;
        for (; componentPos < componentLen; componentPos++) {
            const component = components[componentPos];
            if (!component.removed) {
                if (!component.added && this.useLongestToken) {
                    let value = newTokens.slice(newPos, newPos + component.count);
                    value = value.map(function (value, i) {
                        const oldValue = oldTokens[oldPos + i];
                        return oldValue.length > value.length ? oldValue : value;
                    });
                    component.value = this.join(value);
                }
                else {
                    component.value = this.join(newTokens.slice(newPos, newPos + component.count));
                }
                newPos += component.count;
                // Common case
                if (!component.added) {
                    oldPos += component.count;
                }
            }
            else {
                component.value = this.join(oldTokens.slice(oldPos, oldPos + component.count));
                oldPos += component.count;
            }
        }
        return components;
    }
}

;// CONCATENATED MODULE: ./node_modules/diff/libesm/diff/line.js


class LineDiff extends Diff {
    constructor() {
        super(...arguments);
        this.tokenize = tokenize;
    }
    equals(left, right, options) {
        // If we're ignoring whitespace, we need to normalise lines by stripping
        // whitespace before checking equality. (This has an annoying interaction
        // with newlineIsToken that requires special handling: if newlines get their
        // own token, then we DON'T want to trim the *newline* tokens down to empty
        // strings, since this would cause us to treat whitespace-only line content
        // as equal to a separator between lines, which would be weird and
        // inconsistent with the documented behavior of the options.)
        if (options.ignoreWhitespace) {
            if (!options.newlineIsToken || !left.includes('\n')) {
                left = left.trim();
            }
            if (!options.newlineIsToken || !right.includes('\n')) {
                right = right.trim();
            }
        }
        else if (options.ignoreNewlineAtEof && !options.newlineIsToken) {
            if (left.endsWith('\n')) {
                left = left.slice(0, -1);
            }
            if (right.endsWith('\n')) {
                right = right.slice(0, -1);
            }
        }
        return super.equals(left, right, options);
    }
}
const lineDiff = new LineDiff();
function diffLines(oldStr, newStr, options) {
    return lineDiff.diff(oldStr, newStr, options);
}
function diffTrimmedLines(oldStr, newStr, options) {
    options = generateOptions(options, { ignoreWhitespace: true });
    return lineDiff.diff(oldStr, newStr, options);
}
// Exported standalone so it can be used from jsonDiff too.
function tokenize(value, options) {
    if (options.stripTrailingCr) {
        // remove one \r before \n to match GNU diff's --strip-trailing-cr behavior
        value = value.replace(/\r\n/g, '\n');
    }
    const retLines = [], linesAndNewlines = value.split(/(\n|\r\n)/);
    // Ignore the final empty token that occurs if the string ends with a new line
    if (!linesAndNewlines[linesAndNewlines.length - 1]) {
        linesAndNewlines.pop();
    }
    // Merge the content and line separators into single tokens
    for (let i = 0; i < linesAndNewlines.length; i++) {
        const line = linesAndNewlines[i];
        if (i % 2 && !options.newlineIsToken) {
            retLines[retLines.length - 1] += line;
        }
        else {
            retLines.push(line);
        }
    }
    return retLines;
}

;// CONCATENATED MODULE: ./src/extract/file-changes.ts
/**
 * How much changed in the repository copy, file by file: the lines, counted as `git diff` counts
 * them. Pure.
 */

/** Past this many edits, or this long, the diff gives up: a rewritten file is not worth a count. */
const MAX_EDITS = 20_000;
const DIFF_TIMEOUT_MS = 2_000;
/** Lines added and removed between two texts, as `git diff` would count them; undefined when it would take too long. */
function countLineChanges(before, after) {
    const parts = diffLines(before, after, { maxEditLength: MAX_EDITS, timeout: DIFF_TIMEOUT_MS });
    if (!parts)
        return undefined;
    let added = 0;
    let removed = 0;
    for (const part of parts) {
        if (part.added)
            added += part.count;
        else if (part.removed)
            removed += part.count;
    }
    return { added, removed };
}
/** The lines of a text (a last line without a newline counts). */
function countLines(text) {
    if (text === '')
        return 0;
    let lines = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1))
        lines++;
    return text.endsWith('\n') ? lines : lines + 1;
}
/** Added, then changed, then removed; by name within each. */
function sortChanges(changes) {
    const order = { added: 0, changed: 1, removed: 2 };
    return [...changes].sort((a, b) => order[a.kind] - order[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// EXTERNAL MODULE: ./src/tool-export/json-layout.ts
var json_layout = __webpack_require__(83056);
// EXTERNAL MODULE: ./src/tool-export/definition-json.ts
var definition_json = __webpack_require__(65429);
// EXTERNAL MODULE: ./src/log-text.ts
var log_text = __webpack_require__(73529);
;// CONCATENATED MODULE: ./src/extract/tree-compare.ts
/** What changed between two listings of a folder. Pure. */
function compareTrees(before, after) {
    const added = [...after.keys()].filter(name => !before.has(name)).sort();
    const removed = [...before.keys()].filter(name => !after.has(name)).sort();
    const modified = [...after.keys()].filter(name => before.has(name) && before.get(name) !== after.get(name)).sort();
    return { added, removed, modified };
}
function hasChanges(changes) {
    return changes.added.length + changes.removed.length + changes.modified.length > 0;
}
/** One line for the log, e.g. `1 added (a.json), 1 changed (b.json)`. */
function describeChanges(changes, most = 5) {
    const part = (label, names) => {
        if (names.length === 0)
            return undefined;
        const shown = names.slice(0, most).join(', ');
        return `${names.length} ${label} (${shown}${names.length > most ? ', ...' : ''})`;
    };
    const parts = [part('added', changes.added), part('changed', changes.modified), part('removed', changes.removed)];
    return parts.filter(Boolean).join(', ') || 'no changes';
}

// EXTERNAL MODULE: ./src/tool-export/zip-rules.ts
var zip_rules = __webpack_require__(85274);
// EXTERNAL MODULE: ./src/file-naming.ts
var file_naming = __webpack_require__(38946);
;// CONCATENATED MODULE: ./src/extract/extract.ts
/**
 * Unpacks the export into a folder of the repository, so that a pull request shows what changed.
 * The archive was verified before it got here (tool-export/verify.ts: names, sizes, CRCs); it is
 * unpacked (with @actions/tool-cache) into a temporary folder beside the target, its links
 * checked, laid out for review (JSON pretty-printed, environment variables as `envVariables`
 * says), and swapped in only when complete and different in value, so a refused or broken
 * archive, or one equal to what the folder holds, leaves the target as it was. A check
 * (`extract: check`) compares the same way and swaps nothing in: it stages in the runner's temp
 * folder instead, so that neither the target nor its parent is touched. The export file itself is
 * never changed: the artifact is uploaded from it.
 */














async function extractExport(file, folder, options) {
    const refuse = (reason) => new errors/* ActionError */.lZ(`Refusing to unpack ${external_node_path_.basename(options.keptAt ?? file)}: ${reason}. Nothing was written; ${folder} was left as it was.`, `The export is not what the platform makes: inspect the file kept at ${options.keptAt ?? file} (it was not uploaded), and export the tool again.`);
    // Beside the folder, the swap is one rename on one disk; a check swaps nothing, and stages
    // where it makes no entry in the repository.
    const stagingParent = options.check ? options.check.tempRoot : external_node_path_.dirname(folder);
    await (0,promises_.mkdir)(stagingParent, { recursive: true });
    // A disk that fills while unpacking would stall the unzip tool, waiting for an answer: know first.
    const { bavail, bsize } = await (0,promises_.statfs)(stagingParent);
    const free = bavail * bsize;
    if (free < options.bytes) {
        throw new errors/* ActionError */.lZ(`Unpacking the export needs ${(0,log_text/* formatBytes */.z3)(options.bytes)} but ${stagingParent} has ${(0,log_text/* formatBytes */.z3)(free)} left: no space left on the device. Nothing was written; ${folder} was left as it was.`, options.check
            ? "Free some space in the runner's temp folder."
            : 'Free some space on the runner, or unpack onto another disk with "extractPath".');
    }
    const staging = await (0,promises_.mkdtemp)(external_node_path_.join(stagingParent, options.check ? 'koreai-check-' : `.${external_node_path_.basename(folder)}.unpack-`));
    options.temporary?.replace('unpack', staging);
    try {
        const { extractZip } = await Promise.all(/* import() */[__webpack_require__.e(838), __webpack_require__.e(805)]).then(__webpack_require__.bind(__webpack_require__, 59805));
        try {
            await extractZip(file, staging);
        }
        catch (error) {
            throw refuse(`unpacking failed (${(0,errors/* errorMessage */.gJ)(error)})`);
        }
        const unpacked = await listTree(staging, false);
        for (const [name, what] of unpacked) {
            if (what.startsWith('link:') && !linkStaysInside(staging, name, what.slice('link:'.length))) {
                throw refuse(`the link ${JSON.stringify(name)} points outside the folder`);
            }
        }
        const envVariables = await layOutForReview(staging, unpacked, options, refuse);
        const laidOut = await listTree(staging);
        const before = await listTree(folder);
        const { changes, fileChanges } = await compareByValue(folder, staging, before, laidOut);
        const changed = hasChanges(changes);
        if (changed && !options.check)
            await swapIn(staging, folder);
        const files = [...laidOut.values()].filter(v => v.startsWith('file:')).length;
        return { folder, files, changed, changes, fileChanges, envVariables };
    }
    finally {
        await (0,promises_.rm)(staging, { recursive: true, force: true });
        options.temporary?.replace('unpack', undefined);
    }
}
const isJsonName = (name) => /\.json$/i.test(name);
/**
 * Rewrites the unpacked files as the repository keeps them: each JSON file pretty-printed in the
 * export's own key order, env_variables.json as the policy says. Each file is read whole and
 * parsed (to be sure it is JSON before it is re-indented, and to redact): acceptable for the
 * repository copy, which git and a reviewer hold whole too. A `.json` file that does not parse
 * (possible with `verify: false`) is kept as exported, except env_variables.json under `redact`.
 */
async function layOutForReview(staging, listing, { envPolicy, key }, refuse) {
    let envVariables;
    for (const [name, what] of listing) {
        if (!what.startsWith('file:') || !isJsonName(name))
            continue;
        const full = external_node_path_.join(staging, name);
        // At any depth and in any case (on a case-insensitive disk it is the same file): a copy of
        // the variables in a subfolder must not leak what the root one hides.
        const isEnv = external_node_path_.posix.basename(name).toLowerCase() === zip_rules/* ENV_VARIABLES */.WN;
        if (isEnv)
            envVariables ??= { policy: envPolicy };
        if (isEnv && envPolicy === 'omit') {
            await (0,promises_.rm)(full);
            continue;
        }
        // Read as the verifier reads it: a byte order mark is skipped, and the copy is written without it.
        const text = (0,definition_json/* definitionText */.Zl)(await (0,promises_.readFile)(full));
        const parsed = (0,definition_json/* parseDefinition */.JA)(text);
        if (parsed === undefined) {
            if (isEnv && envPolicy === 'redact') {
                // Its values cannot be found, so none can be hidden: nothing of it may be written.
                throw refuse(`${name} is not valid JSON, so its values cannot be redacted (set envVariables: omit to leave it out)`);
            }
            continue;
        }
        if (isEnv && envPolicy === 'redact') {
            const redaction = (0,env_variables/* redactEnvVariables */.gJ)(parsed, key);
            const earlier = envVariables.shape === 'unrecognised' ? 'unrecognised' : undefined;
            envVariables = { policy: envPolicy, shape: earlier ?? redaction.shape, redacted: (envVariables.redacted ?? 0) + redaction.redacted };
            // Written from the parsed value (the clear text must not be re-indented into the copy):
            // here an integer-like name would move first, as in any JavaScript object.
            await (0,promises_.writeFile)(full, `${JSON.stringify(redaction.value, null, 2)}\n`);
        }
        else {
            await (0,promises_.writeFile)(full, (0,json_layout/* prettyJson */.D)(text));
        }
    }
    return envVariables;
}
/**
 * Compares the laid-out copy with what the folder holds by value: a JSON file whose value is
 * equal (whatever its layout or key order) is no change. Such a file already laid out as this
 * action writes takes the folder's bytes back, so a swap forced by another file does not reorder
 * it; one written otherwise (by an earlier version) takes the new layout.
 */
async function compareByValue(folder, staging, before, after) {
    const byBytes = compareTrees(before, after);
    const fileChanges = [];
    const modified = [];
    const jsonText = async (root, listing, name) => isJsonName(name) && listing.get(name)?.startsWith('file:') ? (0,promises_.readFile)(external_node_path_.join(root, name), 'utf8') : undefined;
    const oldText = (name) => jsonText(folder, before, name);
    const newText = (name) => jsonText(staging, after, name);
    for (const name of byBytes.modified) {
        const [old, now] = [await oldText(name), await newText(name)];
        if (old !== undefined && now !== undefined) {
            const [oldValue, newValue] = [(0,definition_json/* parseDefinition */.JA)(old), (0,definition_json/* parseDefinition */.JA)(now)];
            if (oldValue !== undefined && newValue !== undefined && (0,json_layout/* canonicalJson */.d)(oldValue) === (0,json_layout/* canonicalJson */.d)(newValue)) {
                if ((0,json_layout/* prettyJson */.D)((0,definition_json/* definitionText */.Zl)(old)) === old)
                    await (0,promises_.copyFile)(external_node_path_.join(folder, name), external_node_path_.join(staging, name));
                continue;
            }
        }
        modified.push(name);
        fileChanges.push({ kind: 'changed', name, lines: old !== undefined && now !== undefined ? countLineChanges(old, now) : undefined });
    }
    for (const name of byBytes.added.filter(name => after.get(name) !== 'dir')) {
        const now = await newText(name);
        fileChanges.push({ kind: 'added', name, lines: now === undefined ? undefined : { added: countLines(now), removed: 0 } });
    }
    for (const name of byBytes.removed.filter(name => before.get(name) !== 'dir')) {
        const old = await oldText(name);
        fileChanges.push({ kind: 'removed', name, lines: old === undefined ? undefined : { added: 0, removed: countLines(old) } });
    }
    return { changes: { ...byBytes, modified }, fileChanges: sortChanges(fileChanges) };
}
function linkStaysInside(root, name, target) {
    if (external_node_path_.isAbsolute(target))
        return false;
    const resolved = external_node_path_.resolve(root, external_node_path_.dirname(name), target);
    return resolved !== external_node_path_.resolve(root) && (0,file_naming/* isWithin */.UO)(root, resolved);
}
/**
 * Every entry below `root` (none when it does not exist), links listed and not followed; files as
 * `file:<sha256>`, or as `file:` alone when `digests` is false.
 */
async function listTree(root, digests = true) {
    const listing = new Map();
    const walk = async (relative) => {
        let children;
        try {
            children = await (0,promises_.readdir)(external_node_path_.join(root, relative), { withFileTypes: true });
        }
        catch (error) {
            if ((0,errors/* errorCode */.CA)(error) === 'ENOENT' && relative === '')
                return;
            throw error;
        }
        for (const child of children) {
            const name = relative ? `${relative}/${child.name}` : child.name;
            const full = external_node_path_.join(root, name);
            if (child.isSymbolicLink())
                listing.set(name, `link:${await (0,promises_.readlink)(full)}`);
            else if (child.isDirectory()) {
                listing.set(name, 'dir');
                await walk(name);
            }
            else
                listing.set(name, `file:${digests ? await digest(full) : ''}`);
        }
    };
    await walk('');
    return listing;
}
async function digest(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}
/** Puts `staging` in `folder`'s place; the old folder is restored if the swap fails midway. */
async function swapIn(staging, folder) {
    const old = `${staging}.old`;
    let moved = false;
    try {
        await (0,promises_.rename)(folder, old);
        moved = true;
    }
    catch (error) {
        if ((0,errors/* errorCode */.CA)(error) !== 'ENOENT')
            throw error;
    }
    try {
        await (0,promises_.rename)(staging, folder);
    }
    catch (error) {
        if (moved)
            await (0,promises_.rename)(old, folder);
        throw error;
    }
    if (moved)
        await (0,promises_.rm)(old, { recursive: true, force: true });
}


/***/ }),

/***/ 65429:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   JA: () => (/* binding */ parseDefinition),
/* harmony export */   S8: () => (/* binding */ toolNameFrom),
/* harmony export */   Zl: () => (/* binding */ definitionText),
/* harmony export */   bZ: () => (/* binding */ TOOL_NAME_SOURCE_LIMIT),
/* harmony export */   hD: () => (/* binding */ UTF8_BOM)
/* harmony export */ });
/* harmony import */ var _log_text_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73529);
/**
 * What a definition's JSON is, in one place for the verifier, the unpack and the import, so that
 * no file is valid to one and refused by another: a JSON text that may begin with a UTF-8 byte
 * order mark (editors on Windows write one). The mark is no part of the value: it is skipped when
 * the text is read, and the repository copy is written without it. And what the tool's name is.
 * Pure.
 */

/** The byte order mark as UTF-8 bytes, for a reader of bytes (json-syntax.ts). */
const UTF8_BOM = [0xef, 0xbb, 0xbf];
/** The byte order mark as the character it decodes to. */
const BOM = '\uFEFF';
/** A definition's text, decoded as UTF-8, without the byte order mark it may begin with. */
function definitionText(source) {
    const text = typeof source === 'string' ? source : source.toString('utf8');
    return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}
/** A definition's JSON value, or undefined when the text is not JSON (JSON has no undefined). */
function parseDefinition(source) {
    try {
        return JSON.parse(definitionText(source));
    }
    catch {
        return undefined;
    }
}
/** app_definition.json is read whole for the tool's name only up to this size; a larger one gives none. */
const TOOL_NAME_SOURCE_LIMIT = 1024 * 1024;
/** The tool's name: app_definition.json's top-level "name", made safe for a log line; undefined without one. */
function toolNameFrom(app) {
    const name = app !== null && typeof app === 'object' && !Array.isArray(app) ? app.name : undefined;
    return typeof name === 'string' && name.trim() ? (0,_log_text_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(name, 100) : undefined;
}


/***/ })

};

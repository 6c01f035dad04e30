export const id = 317;
export const ids = [317];
export const modules = {

/***/ 64317:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  PROGRESS_EVERY_MS: () => (/* binding */ PROGRESS_EVERY_MS),
  decodersFor: () => (/* binding */ decodersFor),
  downloadExport: () => (/* binding */ downloadExport),
  progressLine: () => (/* binding */ progressLine)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./src/lifecycle/cancellation.ts
var cancellation = __webpack_require__(83257);
// EXTERNAL MODULE: ./src/download/publish.ts
var publish = __webpack_require__(78039);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./node_modules/yauzl/index.js
var yauzl = __webpack_require__(20663);
// EXTERNAL MODULE: ./src/tool-export/definition-json.ts
var definition_json = __webpack_require__(65429);
;// CONCATENATED MODULE: ./src/tool-export/json-syntax.ts


/**
 * Checks that a stream of bytes is one JSON text (RFC 8259), piece by piece, without building it:
 * memory stays at a few numbers and one small stack however large the file is. Pure.
 *
 * Why not a library: streaming JSON parsers build every token as a value. On a structure-heavy
 * 240 MB flow definition @streamparser/json checked 38 MB/s, this checker 224 MB/s (JSON.parse,
 * which needs the whole text in memory, 128 MB/s); verifying must stay a fraction of the download.
 */
/** Deeper than this is refused rather than tracked: no definition nests so far, and the stack stays small. */
const MAX_DEPTH = 10_000;
var State;
(function (State) {
    /** A value must come (after `:`, `[`, `,` in an array, or at the start). */
    State[State["Value"] = 0] = "Value";
    /** After `[`: a value or `]`. */
    State[State["ValueOrEnd"] = 1] = "ValueOrEnd";
    /** After `{`: a key or `}`. */
    State[State["KeyOrEnd"] = 2] = "KeyOrEnd";
    /** After `,` in an object: a key. */
    State[State["Key"] = 3] = "Key";
    /** After a key: `:`. */
    State[State["Colon"] = 4] = "Colon";
    /** After a value inside a container: `,` or the closing bracket. */
    State[State["CommaOrEnd"] = 5] = "CommaOrEnd";
    /** After the top-level value: only whitespace. */
    State[State["Done"] = 6] = "Done";
    State[State["String"] = 7] = "String";
    State[State["StringEscape"] = 8] = "StringEscape";
    State[State["StringUnicode"] = 9] = "StringUnicode";
    State[State["Literal"] = 10] = "Literal";
    /** Number parts, as the grammar names them. */
    State[State["Minus"] = 11] = "Minus";
    State[State["Zero"] = 12] = "Zero";
    State[State["Integer"] = 13] = "Integer";
    State[State["Point"] = 14] = "Point";
    State[State["Fraction"] = 15] = "Fraction";
    State[State["Exponent"] = 16] = "Exponent";
    State[State["ExponentSign"] = 17] = "ExponentSign";
    State[State["ExponentDigits"] = 18] = "ExponentDigits";
})(State || (State = {}));
const OBJECT = 1;
const ARRAY = 2;
/** 1 for the bytes a string goes on with; 0 for `"`, `\\` and the control characters. One look-up a byte. */
const STRING_PLAIN = new Uint8Array(256).map((_, b) => (b === 0x22 || b === 0x5c || b < 0x20 ? 0 : 1));
/** The chunk's memory as 32-bit words, from the start of its buffer (so word k is bytes 4k–4k+3 of it). */
function wordsOf(chunk) {
    return new Int32Array(chunk.buffer, 0, (chunk.byteOffset + chunk.length) >> 2);
}
/**
 * The index of the first byte at or after `from` that is not plain string content (`"`, `\\`, a
 * control character), or the chunk's length. Four bytes at a time: a word holds such a byte
 * exactly when one of three bit tests says so (a byte below 0x20; a byte equal to `"` or `\\`,
 * as a zero byte after an XOR), and only then are its bytes looked at one by one. This made
 * verifying a string-heavy definition about 2.5 times faster than a loop over every byte.
 */
function skipPlain(chunk, words, from) {
    const n = chunk.length;
    const base = chunk.byteOffset;
    let i = from;
    while (i < n && ((base + i) & 3) !== 0) {
        if (STRING_PLAIN[chunk[i]] === 0)
            return i;
        i++;
    }
    if (i === n)
        return n;
    let w = (base + i) >> 2;
    const end = (base + n) >> 2;
    while (w < end) {
        const x = words[w];
        const quote = x ^ 0x22222222;
        const backslash = x ^ 0x5c5c5c5c;
        if ((((x - 0x20202020) & ~x) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080)
            break;
        w++;
    }
    i = (w << 2) - base;
    while (i < n && STRING_PLAIN[chunk[i]] === 1)
        i++;
    return i;
}
const isWhitespace = (b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b) => b >= 0x30 && b <= 0x39;
const isHex = (b) => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
class JsonSyntaxChecker {
    state = State.Value;
    stack = new Uint8Array(MAX_DEPTH);
    depth = 0;
    /** Whether the string being read is an object key (a colon follows it). */
    stringIsKey = false;
    hexLeft = 0;
    literal = '';
    literalAt = 0;
    offset = 0;
    /** How many bytes of a leading byte order mark have been read; -1 once the text itself began. */
    bomAt = 0;
    /** Feeds the next piece; throws JsonSyntaxError at the first byte that cannot belong. */
    push(chunk) {
        const n = chunk.length;
        let i = 0;
        // A byte order mark before the text is no part of it (definition-json.ts), even split between pieces.
        while (this.bomAt >= 0 && i < n) {
            if (chunk[i] === definition_json/* UTF8_BOM */.hD[this.bomAt]) {
                i++;
                if (++this.bomAt === definition_json/* UTF8_BOM */.hD.length)
                    this.bomAt = -1;
            }
            else if (this.bomAt === 0)
                this.bomAt = -1;
            else
                throw this.error('an incomplete byte order mark', i);
        }
        let words;
        while (i < n) {
            const b = chunk[i];
            switch (this.state) {
                case State.String: {
                    // The hot loop: most bytes of a definition are inside strings.
                    i = skipPlain(chunk, (words ??= wordsOf(chunk)), i);
                    if (i === n)
                        continue;
                    const c = chunk[i];
                    if (c === 0x5c)
                        this.state = State.StringEscape;
                    else if (c === 0x22)
                        this.endValue(this.stringIsKey);
                    else
                        throw this.error('a control character inside a string', i);
                    i++;
                    continue;
                }
                case State.StringEscape:
                    if (b === 0x75) {
                        this.state = State.StringUnicode;
                        this.hexLeft = 4;
                    }
                    else if (b === 0x22 || b === 0x5c || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74) {
                        this.state = State.String;
                    }
                    else
                        throw this.error('an unknown escape in a string', i);
                    i++;
                    continue;
                case State.StringUnicode:
                    if (!isHex(b))
                        throw this.error('a \\u escape without four hex digits', i);
                    if (--this.hexLeft === 0)
                        this.state = State.String;
                    i++;
                    continue;
                case State.Literal:
                    if (b !== this.literal.charCodeAt(this.literalAt))
                        throw this.error(`an unknown word (expected "${this.literal}")`, i);
                    if (++this.literalAt === this.literal.length)
                        this.endValue(false);
                    i++;
                    continue;
                case State.Minus:
                    if (b === 0x30)
                        this.state = State.Zero;
                    else if (isDigit(b))
                        this.state = State.Integer;
                    else
                        throw this.error('a minus sign without digits', i);
                    i++;
                    continue;
                case State.Zero:
                case State.Integer:
                case State.Fraction:
                case State.ExponentDigits:
                    if (isDigit(b) && this.state !== State.Zero) {
                        i++;
                        continue;
                    }
                    if (b === 0x2e && (this.state === State.Zero || this.state === State.Integer)) {
                        this.state = State.Point;
                        i++;
                        continue;
                    }
                    if ((b === 0x65 || b === 0x45) && this.state !== State.ExponentDigits) {
                        this.state = State.Exponent;
                        i++;
                        continue;
                    }
                    if (isDigit(b))
                        throw this.error('a number with a leading zero', i);
                    // The number ended: this byte belongs to what follows it.
                    this.endValue(false);
                    continue;
                case State.Point:
                    if (!isDigit(b))
                        throw this.error('a decimal point without digits after it', i);
                    this.state = State.Fraction;
                    i++;
                    continue;
                case State.Exponent:
                    if (b === 0x2b || b === 0x2d)
                        this.state = State.ExponentSign;
                    else if (isDigit(b))
                        this.state = State.ExponentDigits;
                    else
                        throw this.error('an exponent without digits', i);
                    i++;
                    continue;
                case State.ExponentSign:
                    if (!isDigit(b))
                        throw this.error('an exponent without digits', i);
                    this.state = State.ExponentDigits;
                    i++;
                    continue;
            }
            // Structural states: whitespace is skipped between tokens.
            if (isWhitespace(b)) {
                i++;
                continue;
            }
            switch (this.state) {
                case State.Value:
                case State.ValueOrEnd:
                    if (b === 0x5d && this.state === State.ValueOrEnd)
                        this.close(ARRAY, i);
                    else
                        this.startValue(b, i);
                    break;
                case State.KeyOrEnd:
                case State.Key:
                    if (b === 0x7d && this.state === State.KeyOrEnd)
                        this.close(OBJECT, i);
                    else if (b === 0x22) {
                        this.state = State.String;
                        this.stringIsKey = true;
                    }
                    else
                        throw this.error('an object key that is not a string', i);
                    break;
                case State.Colon:
                    if (b !== 0x3a)
                        throw this.error('a missing ":" after an object key', i);
                    this.state = State.Value;
                    break;
                case State.CommaOrEnd: {
                    const container = this.stack[this.depth - 1];
                    if (b === 0x2c)
                        this.state = container === OBJECT ? State.Key : State.Value;
                    else if (b === 0x7d || b === 0x5d)
                        this.close(b === 0x7d ? OBJECT : ARRAY, i);
                    else
                        throw this.error(`a missing "," or "${container === OBJECT ? '}' : ']'}"`, i);
                    break;
                }
                case State.Done:
                    throw this.error('more text after the JSON value', i);
            }
            i++;
        }
        this.offset += n;
    }
    /** Called after the last piece: throws when the text stopped in the middle of a value. */
    end() {
        switch (this.state) {
            case State.Done:
                return;
            case State.Zero:
            case State.Integer:
            case State.Fraction:
            case State.ExponentDigits:
                if (this.depth === 0)
                    return;
        }
        if (this.offset === 0)
            throw new errors/* JsonSyntaxError */.q3('an empty file', 0);
        if (this.bomAt > 0)
            throw new errors/* JsonSyntaxError */.q3('an incomplete byte order mark', this.offset);
        if (this.state === State.Value && this.depth === 0)
            throw new errors/* JsonSyntaxError */.q3('no JSON value, only white space', this.offset);
        throw new errors/* JsonSyntaxError */.q3('the text ends in the middle of a value', this.offset);
    }
    startValue(b, i) {
        switch (b) {
            case 0x7b:
            case 0x5b:
                if (this.depth >= MAX_DEPTH)
                    throw this.error(`nesting deeper than ${MAX_DEPTH} levels`, i);
                this.stack[this.depth++] = b === 0x7b ? OBJECT : ARRAY;
                this.state = b === 0x7b ? State.KeyOrEnd : State.ValueOrEnd;
                return;
            case 0x22:
                this.state = State.String;
                this.stringIsKey = false;
                return;
            case 0x2d:
                this.state = State.Minus;
                return;
            case 0x30:
                this.state = State.Zero;
                return;
            case 0x74:
            case 0x66:
            case 0x6e:
                this.literal = b === 0x74 ? 'true' : b === 0x66 ? 'false' : 'null';
                this.literalAt = 1;
                this.state = State.Literal;
                return;
        }
        if (isDigit(b))
            this.state = State.Integer;
        else
            throw this.error('a character that cannot start a value', i);
    }
    close(container, i) {
        if (this.stack[this.depth - 1] !== container)
            throw this.error('a closing bracket that does not match', i);
        this.depth--;
        this.endValue(false);
    }
    endValue(isKey) {
        if (isKey)
            this.state = State.Colon;
        else
            this.state = this.depth === 0 ? State.Done : State.CommaOrEnd;
    }
    error(reason, i) {
        return new errors/* JsonSyntaxError */.q3(reason, this.offset + i);
    }
}

// EXTERNAL MODULE: ./src/log-text.ts
var log_text = __webpack_require__(73529);
// EXTERNAL MODULE: ./src/platform/what-arrived.ts
var what_arrived = __webpack_require__(29969);
// EXTERNAL MODULE: ./src/tool-export/zip-rules.ts
var zip_rules = __webpack_require__(85274);
;// CONCATENATED MODULE: ./src/tool-export/verify.ts
/**
 * Proves a downloaded file is a tool export before anything keeps, unpacks or uploads it: a zip
 * whose central directory reads (zip64 included, with yauzl), whose every entry has a safe name
 * and decompresses to its recorded size and CRC-32, and which holds a flow definition that is
 * JSON. Every entry is read as a stream, one at a time: memory stays bounded whatever the size.
 */









async function verifyExport(file, opts) {
    let zip;
    try {
        zip = await openZip(file);
    }
    catch {
        throw new errors/* NotAnExportError */.JP(await describeFile(file, opts.contentType), 'not a zip');
    }
    const damaged = (what) => new errors/* NotAnExportError */.JP(`a zip ${what}`, 'damaged zip');
    const entries = [];
    const warnings = [];
    let toolName;
    try {
        for (;;) {
            opts.signal?.throwIfAborted();
            let entry;
            try {
                entry = await nextEntry(zip);
            }
            catch (error) {
                throw damaged(`whose central directory is damaged (${(0,log_text/* oneLine */.TN)(String(error.message), 100)})`);
            }
            if (!entry)
                break;
            // yauzl's names are decoded here, so that our rules (and our words) judge them.
            const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
            const shown = JSON.stringify((0,log_text/* oneLine */.TN)(name, 100));
            const nameProblem = (0,zip_rules/* entryNameProblem */.j2)(name);
            if (nameProblem)
                throw damaged(`whose entry ${shown} ${nameProblem}`);
            if (entry.generalPurposeBitFlag & 0x1)
                throw damaged(`whose entry ${shown} is encrypted`);
            const methodProblem = (0,zip_rules/* compressionProblem */.sJ)(entry.compressionMethod);
            if (methodProblem)
                throw damaged(`whose entry ${shown} ${methodProblem}`);
            if (name.endsWith('/') && entry.uncompressedSize === 0)
                continue;
            const definition = opts.toolChecks && zip_rules/* DEFINITIONS */.LX.includes(name);
            const json = definition ? new JsonSyntaxChecker() : undefined;
            const keepForName = name === zip_rules/* APP_DEFINITION */.y6 && entry.uncompressedSize <= definition_json/* TOOL_NAME_SOURCE_LIMIT */.bZ ? [] : undefined;
            let crc = 0;
            try {
                const stream = await openEntry(zip, entry);
                for await (const chunk of stream) {
                    crc = (0,external_node_zlib_.crc32)(chunk, crc);
                    json?.push(chunk);
                    keepForName?.push(chunk);
                }
                json?.end();
            }
            catch (error) {
                if (error instanceof errors/* JsonSyntaxError */.q3) {
                    throw new errors/* NotAnExportError */.JP(`a zip whose ${name} is not valid JSON (${error.message})`, 'not a tool export');
                }
                throw damaged(`whose entry ${shown} ${entryFault(error)}`);
            }
            if (crc >>> 0 !== entry.crc32 >>> 0)
                throw damaged(`whose entry ${shown} fails its CRC check`);
            entries.push({ name, size: entry.uncompressedSize });
            if (keepForName && opts.toolChecks)
                toolName = (0,definition_json/* toolNameFrom */.S8)((0,definition_json/* parseDefinition */.JA)(Buffer.concat(keepForName)));
        }
    }
    finally {
        zip.close();
    }
    const names = new Set(entries.map(e => e.name));
    if (opts.toolChecks) {
        if (!names.has(zip_rules/* FLOW_DEFINITION */.pX)) {
            const held = entries.slice(0, 10).map(e => (0,log_text/* oneLine */.TN)(e.name, 60));
            const list = entries.length === 0 ? 'no files' : `${held.join(', ')}${entries.length > held.length ? ', ...' : ''}`;
            throw new errors/* NotAnExportError */.JP(`a zip without ${zip_rules/* FLOW_DEFINITION */.pX} (it holds: ${list})`, 'not a tool export');
        }
        for (const optional of zip_rules/* OPTIONAL_DEFINITIONS */.AP) {
            if (!names.has(optional))
                warnings.push(`The export holds no ${optional}; it can still be imported (only ${zip_rules/* FLOW_DEFINITION */.pX} is required).`);
        }
    }
    return { entries, toolName, warnings, toolChecked: opts.toolChecks };
}
/** Why reading an entry's data failed, in a user's words. */
function entryFault(error) {
    const message = String(error?.message ?? error);
    if (/too many bytes|not enough bytes/.test(message))
        return 'does not decompress to its recorded size';
    if (/local file header/.test(message))
        return 'has no local header where the directory says it starts';
    if ((0,errors/* errorCode */.CA)(error)?.startsWith('Z_'))
        return 'does not decompress (its deflate data is damaged)';
    return `cannot be read (${(0,log_text/* oneLine */.TN)(message, 100)})`;
}
async function describeFile(file, contentType) {
    const handle = await (0,promises_.open)(file, 'r');
    try {
        const { size } = await handle.stat();
        const head = Buffer.alloc(Math.min(size, what_arrived/* HEAD_BYTES */.Lq));
        await handle.read(head, 0, head.length, 0);
        return (0,what_arrived/* describeBody */.MP)(head, size, contentType);
    }
    finally {
        await handle.close();
    }
}
function openZip(file) {
    return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => error ? reject(error) : resolve(zip)));
}
/** The next entry of the central directory, or undefined at its end. */
function nextEntry(zip) {
    return new Promise((resolve, reject) => {
        const onEntry = (entry) => settle(() => resolve(entry));
        const onEnd = () => settle(() => resolve(undefined));
        const onError = (error) => settle(() => reject(error));
        const settle = (then) => {
            zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
            then();
        };
        zip.once('entry', onEntry).once('end', onEnd).once('error', onError);
        zip.readEntry();
    });
}
function openEntry(zip, entry) {
    return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
}

// EXTERNAL MODULE: ./src/http/client.ts + 2 modules
var client = __webpack_require__(79491);
// EXTERNAL MODULE: ./src/http/retry.ts
var retry = __webpack_require__(28902);
// EXTERNAL MODULE: ./src/platform/connection.ts
var connection = __webpack_require__(97311);
;// CONCATENATED MODULE: ./src/download/download.ts
/**
 * Saves the export: streamed to disk (never held in memory), decoded when the server compressed
 * it, hashed and counted on the way, written under a temporary name. A body cut short, or of
 * another length than announced, is retried and never kept. The whole download, retries
 * included, has one overall time limit besides the connection's idle timeout, and reports
 * progress while it lasts. A complete body is then verified (verify.ts) and only then
 * takes the export's name (publish(): never over a file another run saved meanwhile); a body
 * that is not an export is kept beside it as `<name>.rejected`, for a person to look at, and
 * refused with one error that says what arrived. A run that fails leaves no file of its own.
 * Decoding is node:zlib's; the coding list is read here so that Content-Length can be checked
 * against the bytes as sent and an unknown coding refused by name.
 */















/** How much the file's writer may hold before the download waits for the disk. */
const WRITE_BUFFER_BYTES = 1 << 20;
/** A download that lasts longer than this reports its progress, once per period. */
const PROGRESS_EVERY_MS = 10_000;
/**
 * The verified export, under its name and as the run's own copy. Each run unpacks and uploads
 * its own copy, and its file under the export's name is never replaced by another run at once,
 * so the artifact, the unpacked files, the file and the sha256/size outputs of a run always
 * describe the download it made. The caller removes the own copy when the run ends.
 */
async function downloadExport(opts) {
    const body = await fetchBody(opts);
    try {
        return await keepIfExport(body, opts);
    }
    catch (error) {
        // Refused or not, nothing of this run's is left behind but a `.rejected` file it names.
        await Promise.all([body.partial, (0,publish/* aside */.HU)(body)].map(file => (0,promises_.rm)(file, { force: true })));
        opts.onPartialFile?.(undefined);
        throw error;
    }
}
/** Moves a verified body to the export's name, or a refused one to `<name>.rejected`. */
async function keepIfExport(body, opts) {
    const filePath = external_node_path_.join(opts.folder, opts.fileName);
    let contents;
    try {
        const wrongStatus = (0,what_arrived/* statusProblem */.MI)(body.status);
        if (wrongStatus)
            throw new errors/* NotAnExportError */.JP(wrongStatus, 'not a zip');
        const startedAt = performance.now();
        const peakBefore = process.resourceUsage().maxRSS;
        contents = await verifyExport(body.partial, { toolChecks: opts.toolChecks, contentType: body.contentType, signal: opts.signal });
        // What verifying cost, for a person tuning a runner and for `npm run bench`.
        const mb = (kb) => ((kb * 1024) / 1e6).toFixed(0);
        opts.debug?.(`Verified ${body.size} bytes in ${Math.round(performance.now() - startedAt)} ms; peak RSS ${mb(peakBefore)} MB before, ${mb(process.resourceUsage().maxRSS)} MB after`);
    }
    catch (error) {
        if (!(error instanceof errors/* NotAnExportError */.JP))
            throw error;
        const rejected = `${filePath}.rejected`;
        await (0,promises_.rename)(body.partial, rejected);
        throw refusal(error, body, rejected);
    }
    const published = await (0,publish/* publish */.mk)(body, filePath, opts);
    return { filePath: published, ownCopy: body.partial, fileName: external_node_path_.basename(published), size: body.size, sha256: body.sha256, contents };
}
function refusal(error, body, rejected) {
    const type = body.contentType ? `Content-Type ${(0,log_text/* oneLine */.TN)(body.contentType, 80)}` : 'no Content-Type';
    // A transfer coding other than chunked was undone by nobody: said, since it explains the bytes.
    const transfer = body.transferEncoding?.trim();
    const coding = transfer && !/^chunked$/i.test(transfer) ? `, Transfer-Encoding ${(0,log_text/* oneLine */.TN)(transfer, 40)}` : '';
    const fix = {
        'not a zip': 'Run the workflow again; if the same arrives, open the download URL from a browser signed in to the platform, or report it to Kore.ai support.',
        'damaged zip': 'Export the tool again (run the workflow again); if the export stays damaged, report it to Kore.ai support with the rejected file.',
        'not a tool export': 'Check that the tool exports from the platform UI; if the platform now names its files differently, set "verify: false" to keep the export after the zip checks alone.'
    };
    return new errors/* ActionError */.lZ(`The download is not a tool export: it is ${error.arrived} (${type}${coding}, ${body.size} bytes). ` +
        `It was not kept as ${external_node_path_.basename(rejected, '.rejected')}, not unpacked and not uploaded; the bytes are at ${rejected} for inspection.`, fix[error.refusal]);
}
/** The whole body under a temporary name, after retrying passing faults, within the overall limit. */
async function fetchBody(opts) {
    const limitMs = Math.min(opts.limitMs ?? 15 * 60_000, cancellation/* MAX_TIMER_MS */._o);
    const overall = AbortSignal.timeout(limitMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, overall]) : overall;
    const progress = { bytes: 0, attemptStartedAt: Date.now() };
    const startedAt = Date.now();
    const ticker = setInterval(() => opts.progress?.(progressLine(progress, Date.now())), PROGRESS_EVERY_MS);
    ticker.unref();
    const timedOut = () => new errors/* ActionError */.lZ(`The download did not finish within ${limitMs / 1000} s (downloadTimeoutSeconds); ${progress.bytes} bytes had arrived${progress.total ? ` of ${progress.total}` : ''}.`, 'Raise "downloadTimeoutSeconds" for a slow link, or check the network between the runner and the download host (proxy, bandwidth).');
    try {
        return await (0,retry/* withRetry */.bD)(() => saveOnce(opts, signal, progress), {
            ...opts.retry,
            // A pause that outlasts the limit ends with it: the next attempt sees the limit passed.
            sleep: ms => opts.retry.sleep(Math.min(ms, Math.max(0, startedAt + limitMs - Date.now()))),
            deadline: startedAt + limitMs,
            what: 'The download'
        });
    }
    catch (error) {
        if (opts.signal?.aborted)
            throw opts.signal.reason;
        if (overall.aborted)
            throw timedOut();
        throw explain(error, opts.url, opts.platform);
    }
    finally {
        clearInterval(ticker);
    }
}
function explain(failure, url, platform) {
    // Every attempt failed with passing faults: the last one says what went wrong.
    const error = failure instanceof errors/* RetriesExhaustedError */.i5 ? failure.lastError : failure;
    if ((0,connection/* isConnectionFault */.b4)(error))
        return (0,connection/* explainConnectionFault */.e2)(error);
    if (error instanceof errors/* HttpProtocolError */.Bm) {
        const tries = failure instanceof errors/* RetriesExhaustedError */.i5 ? ` ${failure.attempts} times; the last error:` : ':';
        return new errors/* ActionError */.lZ(`Downloading the export failed${tries} ${error.message} (${url.host}).`, 'It is the download host that answers so (or a proxy in front of it), not the network between: run the workflow again later; if it persists, report it to Kore.ai support with this log.');
    }
    if (error instanceof errors/* RefusedUrlError */.gO) {
        return new errors/* ActionError */.lZ(`Downloading the export was refused: ${error.message}.`, 'The platform gave a download URL the action will not fetch: download the export from the platform UI, and report this to Kore.ai support.');
    }
    if (error instanceof errors/* HttpError */.j$ && (error.status === 401 || error.status === 403) && platform && url.origin !== platform.origin) {
        // The key goes only to the platform's own origin; a download elsewhere gets none.
        return new errors/* ActionError */.lZ(`Downloading the export failed: ${error.message} from ${url.origin}. The API key is sent only to ${platform.origin} (the "host" input), never to another origin, and the download URL is on ${url.origin}.`, `If both are the same platform under two names (such as localhost and 127.0.0.1, or two host names of one server), give "host" as the download URL names it; otherwise the download URL needs other access: report it to Kore.ai support.`);
    }
    if (error instanceof errors/* HttpError */.j$ && !(0,retry/* isRetryable */.r3)(error)) {
        return new errors/* ActionError */.lZ(`Downloading the export failed: ${error.message} from ${url.host}.`, "The download URL may have expired or may need other permissions: run the workflow again; if it persists, check the key's scopes.");
    }
    if (error instanceof errors/* HttpError */.j$ || error instanceof errors/* NetworkError */.Dr) {
        return new errors/* ActionError */.lZ(`Downloading the export failed: ${error.message}.`, 'Check that the runner can reach the download host (proxy settings), then run the workflow again.');
    }
    return error;
}
async function saveOnce(opts, signal, progress) {
    const response = await opts.http.openDownload(opts.url, signal);
    const decoders = decodersFor((0,client/* headerValue */.Z)(response.headers['content-encoding']));
    if (!decoders) {
        response.destroy();
        throw new errors/* ActionError */.lZ(`Downloading the export failed: the server sent it with a content coding the action cannot decode (${describeCoding(response.headers['content-encoding'])}).`, 'Only gzip, deflate and br are decoded: check the download host or the proxy in between.');
    }
    // Content-Length counts the bytes as sent: encoded, when the server compressed them.
    const announced = lengthOf((0,client/* headerValue */.Z)(response.headers['content-length']));
    const partial = external_node_path_.join(opts.folder, `.${opts.fileName}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.part`);
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let received = 0;
    let size = 0;
    progress.bytes = 0;
    progress.total = decoders.length ? undefined : announced;
    progress.attemptStartedAt = Date.now();
    try {
        await (0,promises_.mkdir)(opts.folder, { recursive: true });
        opts.onPartialFile?.(partial);
        const count = async function* (source) {
            for await (const chunk of source) {
                received += chunk.length;
                if (!decoders.length)
                    progress.bytes = received;
                yield chunk;
            }
        };
        // One pipeline for plain and decoded bodies alike: count what arrives, decode, hash, write
        // (the writes run in libuv's thread pool; on loopback as fast as synchronous ones, measured).
        const hashed = async function* (source) {
            for await (const chunk of source) {
                hash.update(chunk);
                size += chunk.length;
                progress.bytes = size;
                yield chunk;
            }
        };
        await (0,external_node_stream_promises_.pipeline)(response.body, count, ...decoders, hashed, (0,external_node_fs_.createWriteStream)(partial, { highWaterMark: WRITE_BUFFER_BYTES }), { signal });
        if (announced !== undefined && received !== announced) {
            throw new errors/* NetworkError */.Dr(`the download ended after ${received} of ${announced} bytes`);
        }
    }
    catch (error) {
        response.destroy();
        await (0,promises_.rm)(partial, { force: true });
        opts.onPartialFile?.(undefined);
        // Cancelled, or the overall limit passed: neither is worth another attempt.
        if (signal.aborted)
            throw signal.reason;
        if (error instanceof errors/* NetworkError */.Dr || error instanceof errors/* ActionError */.lZ)
            throw error;
        const code = (0,errors/* errorCode */.CA)(error);
        if (code === 'ENOSPC') {
            const free = await (0,promises_.statfs)(opts.folder).then(disk => disk.bavail * disk.bsize, () => undefined);
            const sizes = [
                free === undefined ? undefined : `${(0,log_text/* formatBytes */.z3)(free)} free`,
                announced === undefined ? undefined : `${(0,log_text/* formatBytes */.z3)(announced)} needed`
            ];
            throw new errors/* ActionError */.lZ(`Saving the export to ${opts.folder} failed: no space left on the device after ${(0,log_text/* formatBytes */.z3)(size)} (${sizes.filter(Boolean).join(', ') || 'free space unknown'}). Nothing was kept.`, 'Free some space on the runner, or save the export onto another disk with the input "path".');
        }
        if (code && /^E(ACCES|PERM|ROFS|EXIST|ISDIR|NOTDIR|NAMETOOLONG)$/.test(code)) {
            throw new errors/* ActionError */.lZ(`Saving the export to ${opts.folder} failed (${code}).`, 'Choose a writable folder with enough free space in the input "path".');
        }
        if (code && /^Z_|^ERR_(BROTLI|ZLIB)|ERR__ERROR/.test(code)) {
            throw new errors/* NetworkError */.Dr(`the download could not be decoded (${describeCoding(response.headers['content-encoding'])}: ${code}) after ${received} bytes`);
        }
        // A body that breaks HTTP (a chunk that is no chunk) is the server's doing.
        const broken = (0,client/* brokenAnswer */.KF)(error, true);
        if (broken)
            throw broken;
        // A connection that breaks mid-body (a reset, the idle timeout) is a passing fault; a disk error is not.
        throw new errors/* NetworkError */.Dr(`the download was cut short after ${received} bytes (${(0,client/* bodyFault */.HI)(error)})`);
    }
    return {
        partial,
        size,
        sha256: hash.digest('hex'),
        status: response.statusCode,
        contentType: (0,client/* headerValue */.Z)(response.headers['content-type']),
        transferEncoding: (0,client/* headerValue */.Z)(response.headers['transfer-encoding'])
    };
}
/** One decoder per coding, in the order to apply them (the header lists them as applied); undefined for an unknown one. */
function decodersFor(header) {
    const codings = (header ?? '')
        .split(',')
        .map(coding => coding.trim().toLowerCase())
        .filter(coding => coding && coding !== 'identity');
    const decoders = [];
    for (const coding of codings.reverse()) {
        // Streams from servers often end without the final flush: accept what was complete.
        const lenient = { finishFlush: external_node_zlib_.constants.Z_SYNC_FLUSH };
        if (coding === 'gzip' || coding === 'x-gzip')
            decoders.push(external_node_zlib_.createGunzip(lenient));
        else if (coding === 'deflate')
            decoders.push(external_node_zlib_.createInflate(lenient));
        else if (coding === 'br')
            decoders.push(external_node_zlib_.createBrotliDecompress({ finishFlush: external_node_zlib_.constants.BROTLI_OPERATION_FLUSH }));
        else
            return undefined;
    }
    return decoders;
}
function describeCoding(value) {
    return String(value ?? '')
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, 40);
}
function lengthOf(value) {
    return value && /^\d+$/.test(value) ? Number(value) : undefined;
}
/** "Downloaded 12.0 MB of 48.0 MB (25%) at 1.2 MB/s, about 30 s left": bytes, rate, and with a known length, percent and time left. */
function progressLine(progress, now) {
    const mb = (bytes) => bytes < 1e4 ? `${bytes} bytes` : bytes < 1e7 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
    const seconds = Math.max(0.001, (now - progress.attemptStartedAt) / 1000);
    const rate = progress.bytes / seconds;
    const rateText = rate >= 1e5 ? `${(rate / 1e6).toFixed(1)} MB/s` : `${Math.round(rate)} bytes/s`;
    if (!progress.total)
        return `Downloaded ${mb(progress.bytes)} at ${rateText}`;
    const percent = Math.floor((progress.bytes / progress.total) * 100);
    const left = rate > 0 ? `about ${Math.ceil((progress.total - progress.bytes) / rate)} s left` : 'time left unknown';
    return `Downloaded ${mb(progress.bytes)} of ${mb(progress.total)} (${percent}%) at ${rateText}, ${left}`;
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

export const id = 130;
export const ids = [130];
export const modules = {

/***/ 99130:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   PROGRESS_EVERY_MS: () => (/* binding */ PROGRESS_EVERY_MS),
/* harmony export */   decodersFor: () => (/* binding */ decodersFor),
/* harmony export */   downloadExport: () => (/* binding */ downloadExport),
/* harmony export */   progressLine: () => (/* binding */ progressLine)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(38522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var _lifecycle_cancellation_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(83257);
/* harmony import */ var _publish_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(78039);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(83916);
/* harmony import */ var _tool_export_verify_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(33794);
/* harmony import */ var _http_client_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(65197);
/* harmony import */ var _log_text_js__WEBPACK_IMPORTED_MODULE_14__ = __webpack_require__(73529);
/* harmony import */ var _http_retry_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(28902);
/* harmony import */ var _platform_connection_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(97311);
/* harmony import */ var _platform_what_arrived_js__WEBPACK_IMPORTED_MODULE_13__ = __webpack_require__(29969);
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
        await Promise.all([body.partial, (0,_publish_js__WEBPACK_IMPORTED_MODULE_7__/* .aside */ .HU)(body)].map(file => (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(file, { force: true })));
        opts.onPartialFile?.(undefined);
        throw error;
    }
}
/** Moves a verified body to the export's name, or a refused one to `<name>.rejected`. */
async function keepIfExport(body, opts) {
    const filePath = node_path__WEBPACK_IMPORTED_MODULE_3__.join(opts.folder, opts.fileName);
    let contents;
    try {
        const wrongStatus = (0,_platform_what_arrived_js__WEBPACK_IMPORTED_MODULE_13__/* .statusProblem */ .MI)(body.status);
        if (wrongStatus)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .NotAnExportError */ .JP(wrongStatus, 'not a zip');
        const startedAt = performance.now();
        const peakBefore = process.resourceUsage().maxRSS;
        contents = await (0,_tool_export_verify_js__WEBPACK_IMPORTED_MODULE_9__/* .verifyExport */ .q)(body.partial, { toolChecks: opts.toolChecks, contentType: body.contentType, signal: opts.signal });
        // What verifying cost, for a person tuning a runner and for `npm run bench`.
        const mb = (kb) => ((kb * 1024) / 1e6).toFixed(0);
        opts.debug?.(`Verified ${body.size} bytes in ${Math.round(performance.now() - startedAt)} ms; peak RSS ${mb(peakBefore)} MB before, ${mb(process.resourceUsage().maxRSS)} MB after`);
    }
    catch (error) {
        if (!(error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .NotAnExportError */ .JP))
            throw error;
        const rejected = `${filePath}.rejected`;
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename)(body.partial, rejected);
        throw refusal(error, body, rejected);
    }
    const published = await (0,_publish_js__WEBPACK_IMPORTED_MODULE_7__/* .publish */ .mk)(body, filePath, opts);
    return { filePath: published, ownCopy: body.partial, fileName: node_path__WEBPACK_IMPORTED_MODULE_3__.basename(published), size: body.size, sha256: body.sha256, contents };
}
function refusal(error, body, rejected) {
    const type = body.contentType ? `Content-Type ${(0,_log_text_js__WEBPACK_IMPORTED_MODULE_14__/* .oneLine */ .TN)(body.contentType, 80)}` : 'no Content-Type';
    // A transfer coding other than chunked was undone by nobody: said, since it explains the bytes.
    const transfer = body.transferEncoding?.trim();
    const coding = transfer && !/^chunked$/i.test(transfer) ? `, Transfer-Encoding ${(0,_log_text_js__WEBPACK_IMPORTED_MODULE_14__/* .oneLine */ .TN)(transfer, 40)}` : '';
    const fix = {
        'not a zip': 'Run the workflow again; if the same arrives, open the download URL from a browser signed in to the platform, or report it to Kore.ai support.',
        'damaged zip': 'Export the tool again (run the workflow again); if the export stays damaged, report it to Kore.ai support with the rejected file.',
        'not a tool export': 'Check that the tool exports from the platform UI; if the platform now names its files differently, set "verify: false" to keep the export after the zip checks alone.'
    };
    return new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`The download is not a tool export: it is ${error.arrived} (${type}${coding}, ${body.size} bytes). ` +
        `It was not kept as ${node_path__WEBPACK_IMPORTED_MODULE_3__.basename(rejected, '.rejected')}, not unpacked and not uploaded; the bytes are at ${rejected} for inspection.`, fix[error.refusal]);
}
/** The whole body under a temporary name, after retrying passing faults, within the overall limit. */
async function fetchBody(opts) {
    const limitMs = Math.min(opts.limitMs ?? 15 * 60_000, _lifecycle_cancellation_js__WEBPACK_IMPORTED_MODULE_6__/* .MAX_TIMER_MS */ ._o);
    const overall = AbortSignal.timeout(limitMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, overall]) : overall;
    const progress = { bytes: 0, attemptStartedAt: Date.now() };
    const startedAt = Date.now();
    const ticker = setInterval(() => opts.progress?.(progressLine(progress, Date.now())), PROGRESS_EVERY_MS);
    ticker.unref();
    const timedOut = () => new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`The download did not finish within ${limitMs / 1000} s (downloadTimeoutSeconds); ${progress.bytes} bytes had arrived${progress.total ? ` of ${progress.total}` : ''}.`, 'Raise "downloadTimeoutSeconds" for a slow link, or check the network between the runner and the download host (proxy, bandwidth).');
    try {
        return await (0,_http_retry_js__WEBPACK_IMPORTED_MODULE_11__/* .withRetry */ .bD)(() => saveOnce(opts, signal, progress), {
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
    const error = failure instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .RetriesExhaustedError */ .i5 ? failure.lastError : failure;
    if ((0,_platform_connection_js__WEBPACK_IMPORTED_MODULE_12__/* .isConnectionFault */ .b4)(error))
        return (0,_platform_connection_js__WEBPACK_IMPORTED_MODULE_12__/* .explainConnectionFault */ .e2)(error);
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .HttpProtocolError */ .Bm) {
        const tries = failure instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .RetriesExhaustedError */ .i5 ? ` ${failure.attempts} times; the last error:` : ':';
        return new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Downloading the export failed${tries} ${error.message} (${url.host}).`, 'It is the download host that answers so (or a proxy in front of it), not the network between: run the workflow again later; if it persists, report it to Kore.ai support with this log.');
    }
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .RefusedUrlError */ .gO) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Downloading the export was refused: ${error.message}.`, 'The platform gave a download URL the action will not fetch: download the export from the platform UI, and report this to Kore.ai support.');
    }
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .HttpError */ .j$ && (error.status === 401 || error.status === 403) && platform && url.origin !== platform.origin) {
        // The key goes only to the platform's own origin; a download elsewhere gets none.
        return new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Downloading the export failed: ${error.message} from ${url.origin}. The API key is sent only to ${platform.origin} (the "host" input), never to another origin, and the download URL is on ${url.origin}.`, `If both are the same platform under two names (such as localhost and 127.0.0.1, or two host names of one server), give "host" as the download URL names it; otherwise the download URL needs other access: report it to Kore.ai support.`);
    }
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .HttpError */ .j$ && !(0,_http_retry_js__WEBPACK_IMPORTED_MODULE_11__/* .isRetryable */ .r3)(error)) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Downloading the export failed: ${error.message} from ${url.host}.`, "The download URL may have expired or may need other permissions: run the workflow again; if it persists, check the key's scopes.");
    }
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .HttpError */ .j$ || error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .NetworkError */ .Dr) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Downloading the export failed: ${error.message}.`, 'Check that the runner can reach the download host (proxy settings), then run the workflow again.');
    }
    return error;
}
async function saveOnce(opts, signal, progress) {
    const response = await opts.http.openDownload(opts.url, signal);
    const decoders = decodersFor((0,_http_client_js__WEBPACK_IMPORTED_MODULE_10__/* .headerValue */ .Z)(response.headers['content-encoding']));
    if (!decoders) {
        response.destroy();
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Downloading the export failed: the server sent it with a content coding the action cannot decode (${describeCoding(response.headers['content-encoding'])}).`, 'Only gzip, deflate and br are decoded: check the download host or the proxy in between.');
    }
    // Content-Length counts the bytes as sent: encoded, when the server compressed them.
    const announced = lengthOf((0,_http_client_js__WEBPACK_IMPORTED_MODULE_10__/* .headerValue */ .Z)(response.headers['content-length']));
    const partial = node_path__WEBPACK_IMPORTED_MODULE_3__.join(opts.folder, `.${opts.fileName}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}.part`);
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    let received = 0;
    let size = 0;
    progress.bytes = 0;
    progress.total = decoders.length ? undefined : announced;
    progress.attemptStartedAt = Date.now();
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir)(opts.folder, { recursive: true });
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
        await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)(response.body, count, ...decoders, hashed, (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createWriteStream)(partial, { highWaterMark: WRITE_BUFFER_BYTES }), { signal });
        if (announced !== undefined && received !== announced) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .NetworkError */ .Dr(`the download ended after ${received} of ${announced} bytes`);
        }
    }
    catch (error) {
        response.destroy();
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(partial, { force: true });
        opts.onPartialFile?.(undefined);
        // Cancelled, or the overall limit passed: neither is worth another attempt.
        if (signal.aborted)
            throw signal.reason;
        if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .NetworkError */ .Dr || error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ)
            throw error;
        const code = (0,_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .errorCode */ .CA)(error);
        if (code === 'ENOSPC') {
            const free = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.statfs)(opts.folder).then(disk => disk.bavail * disk.bsize, () => undefined);
            const sizes = [
                free === undefined ? undefined : `${(0,_log_text_js__WEBPACK_IMPORTED_MODULE_14__/* .formatBytes */ .z3)(free)} free`,
                announced === undefined ? undefined : `${(0,_log_text_js__WEBPACK_IMPORTED_MODULE_14__/* .formatBytes */ .z3)(announced)} needed`
            ];
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Saving the export to ${opts.folder} failed: no space left on the device after ${(0,_log_text_js__WEBPACK_IMPORTED_MODULE_14__/* .formatBytes */ .z3)(size)} (${sizes.filter(Boolean).join(', ') || 'free space unknown'}). Nothing was kept.`, 'Free some space on the runner, or save the export onto another disk with the input "path".');
        }
        if (code && /^E(ACCES|PERM|ROFS|EXIST|ISDIR|NOTDIR|NAMETOOLONG)$/.test(code)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionError */ .lZ(`Saving the export to ${opts.folder} failed (${code}).`, 'Choose a writable folder with enough free space in the input "path".');
        }
        if (code && /^Z_|^ERR_(BROTLI|ZLIB)|ERR__ERROR/.test(code)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .NetworkError */ .Dr(`the download could not be decoded (${describeCoding(response.headers['content-encoding'])}: ${code}) after ${received} bytes`);
        }
        // A body that breaks HTTP (a chunk that is no chunk) is the server's doing.
        const broken = (0,_http_client_js__WEBPACK_IMPORTED_MODULE_10__/* .brokenAnswer */ .KF)(error, true);
        if (broken)
            throw broken;
        // A connection that breaks mid-body (a reset, the idle timeout) is a passing fault; a disk error is not.
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .NetworkError */ .Dr(`the download was cut short after ${received} bytes (${(0,_http_client_js__WEBPACK_IMPORTED_MODULE_10__/* .bodyFault */ .HI)(error)})`);
    }
    return {
        partial,
        size,
        sha256: hash.digest('hex'),
        status: response.statusCode,
        contentType: (0,_http_client_js__WEBPACK_IMPORTED_MODULE_10__/* .headerValue */ .Z)(response.headers['content-type']),
        transferEncoding: (0,_http_client_js__WEBPACK_IMPORTED_MODULE_10__/* .headerValue */ .Z)(response.headers['transfer-encoding'])
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
        const lenient = { finishFlush: node_zlib__WEBPACK_IMPORTED_MODULE_5__.constants.Z_SYNC_FLUSH };
        if (coding === 'gzip' || coding === 'x-gzip')
            decoders.push(node_zlib__WEBPACK_IMPORTED_MODULE_5__.createGunzip(lenient));
        else if (coding === 'deflate')
            decoders.push(node_zlib__WEBPACK_IMPORTED_MODULE_5__.createInflate(lenient));
        else if (coding === 'br')
            decoders.push(node_zlib__WEBPACK_IMPORTED_MODULE_5__.createBrotliDecompress({ finishFlush: node_zlib__WEBPACK_IMPORTED_MODULE_5__.constants.BROTLI_OPERATION_FLUSH }));
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


/***/ })

};

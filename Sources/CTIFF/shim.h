#ifndef CTIFF_SHIM_H
#define CTIFF_SHIM_H
#include <tiffio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

// libtiff reports problems through variadic callbacks (va_list), and TIFFSetField/TIFFGetField are variadic:
// Swift can call neither, so this header formats the messages in C and offers one typed wrapper per field shape.

/// Messages libtiff reported for ONE handle. Each TIFF handle gets its own log (passed as the handler's user data
/// through TIFFOpenOptions), so concurrent handles on different threads never share a buffer.
typedef struct CTIFF_MessageLog {
    char errors[2048];
    size_t errorsLength;
    int errorCount;
    char warnings[1024];
    size_t warningsLength;
    int warningCount;
} CTIFF_MessageLog;

static inline void CTIFF_MessageLogReset(CTIFF_MessageLog *log) {
    log->errors[0] = 0;
    log->errorsLength = 0;
    log->errorCount = 0;
    log->warnings[0] = 0;
    log->warningsLength = 0;
    log->warningCount = 0;
}

/// Appends "module: message" to a fixed buffer, separated by "; ", truncating rather than overflowing.
static inline void CTIFF_appendMessage(char *buffer, size_t capacity, size_t *length, const char *module,
                                       const char *format, va_list arguments) {
    char message[512];
    vsnprintf(message, sizeof message, format, arguments);
    if (*length + 1 >= capacity) return;
    int written = snprintf(buffer + *length, capacity - *length, "%s%s%s%s", *length > 0 ? "; " : "",
                           module ? module : "", module ? ": " : "", message);
    if (written < 0) return;
    *length += (size_t)written;
    if (*length >= capacity) *length = capacity - 1;
}

static inline int CTIFF_errorHandler(TIFF *tiff, void *userData, const char *module, const char *format,
                                     va_list arguments) {
    (void)tiff;
    CTIFF_MessageLog *log = (CTIFF_MessageLog *)userData;
    if (log == NULL) return 0;
    CTIFF_appendMessage(log->errors, sizeof log->errors, &log->errorsLength, module, format, arguments);
    log->errorCount += 1;
    return 1; // handled: libtiff then skips the process-wide handlers (which print to stderr)
}

static inline int CTIFF_warningHandler(TIFF *tiff, void *userData, const char *module, const char *format,
                                       va_list arguments) {
    (void)tiff;
    CTIFF_MessageLog *log = (CTIFF_MessageLog *)userData;
    if (log == NULL) return 0;
    CTIFF_appendMessage(log->warnings, sizeof log->warnings, &log->warningsLength, module, format, arguments);
    log->warningCount += 1;
    return 1;
}

/// Opens `path` with errors and warnings of this handle (including those raised while opening) sent to `log`.
static inline TIFF *CTIFF_open(const char *path, const char *mode, CTIFF_MessageLog *log) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(options, CTIFF_errorHandler, log);
    TIFFOpenOptionsSetWarningHandlerExtR(options, CTIFF_warningHandler, log);
    TIFF *tiff = TIFFOpenExt(path, mode, options);
    TIFFOpenOptionsFree(options);
    return tiff;
}

// Typed wrappers around the variadic field accessors. libtiff reads 16-bit values as int (default promotion).
static inline int CTIFF_setUInt16(TIFF *tiff, uint32_t tag, uint16_t value) { return TIFFSetField(tiff, tag, (int)value); }
static inline int CTIFF_setUInt32(TIFF *tiff, uint32_t tag, uint32_t value) { return TIFFSetField(tiff, tag, value); }
static inline int CTIFF_setDouble(TIFF *tiff, uint32_t tag, double value) { return TIFFSetField(tiff, tag, value); }
static inline int CTIFF_setString(TIFF *tiff, uint32_t tag, const char *value) { return TIFFSetField(tiff, tag, value); }
static inline int CTIFF_setExtraSamples(TIFF *tiff, uint16_t count, const uint16_t *types) {
    return TIFFSetField(tiff, TIFFTAG_EXTRASAMPLES, (int)count, types);
}

/// Declares `count` SubIFDs on the current directory: the next `count` directories written become its SubIFDs
/// (libtiff fills in their offsets). The offsets passed are placeholders.
static inline int CTIFF_setSubIFDs(TIFF *tiff, uint16_t count) {
    toff_t offsets[64] = {0};
    if (count > 64) return 0;
    return TIFFSetField(tiff, TIFFTAG_SUBIFD, (int)count, offsets);
}
/// A palette (Photometric = palette): three 2^bitsPerSample-entry tables of 16-bit red, green and blue.
static inline int CTIFF_setColorMap(TIFF *tiff, const uint16_t *red, const uint16_t *green, const uint16_t *blue) {
    return TIFFSetField(tiff, TIFFTAG_COLORMAP, red, green, blue);
}
/// The SubIFD offsets of the current directory; `*count` is 0 when it has none.
static inline int CTIFF_getSubIFDs(TIFF *tiff, uint16_t *count, const uint64_t **offsets) {
    uint64_t *values = NULL;
    *count = 0;
    if (TIFFGetField(tiff, TIFFTAG_SUBIFD, count, &values) != 1) { *count = 0; *offsets = NULL; return 0; }
    *offsets = values;
    return 1;
}
/// The palette of the current directory (three 256-entry tables for 8-bit samples).
static inline int CTIFF_getColorMap(TIFF *tiff, const uint16_t **red, const uint16_t **green, const uint16_t **blue) {
    uint16_t *r = NULL, *g = NULL, *b = NULL;
    int ok = TIFFGetField(tiff, TIFFTAG_COLORMAP, &r, &g, &b);
    *red = r; *green = g; *blue = b;
    return ok;
}

static inline int CTIFF_getUInt16(TIFF *tiff, uint32_t tag, uint16_t *value) { return TIFFGetFieldDefaulted(tiff, tag, value); }
static inline int CTIFF_getUInt32(TIFF *tiff, uint32_t tag, uint32_t *value) { return TIFFGetFieldDefaulted(tiff, tag, value); }
/// Rational tags such as XResolution are kept as float by libtiff 4.x.
static inline int CTIFF_getFloat(TIFF *tiff, uint32_t tag, float *value) { return TIFFGetField(tiff, tag, value); }
static inline int CTIFF_getString(TIFF *tiff, uint32_t tag, const char **value) { return TIFFGetField(tiff, tag, value); }
static inline int CTIFF_getExtraSamples(TIFF *tiff, uint16_t *count, const uint16_t **types) {
    return TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, count, types);
}

/// The JPEGTables tag: a JPEG stream holding only the tables a JPEG-compressed file's tiles share.
static inline int CTIFF_getJPEGTables(TIFF *tiff, uint32_t *count, const void **data) {
    return TIFFGetField(tiff, TIFFTAG_JPEGTABLES, count, data);
}

#endif

#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

// libjpeg reports errors by calling error_exit, which must not return: the usual way out is longjmp. Swift can
// neither call setjmp nor be jumped over, so the whole compress/decompress call lives here in C and returns a
// status code with libjpeg's message; Swift (TesseraServe/JPEGCodec.swift) turns that into a typed error.

typedef struct CJPEG_ErrorManager {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    char message[JMSG_LENGTH_MAX];
} CJPEG_ErrorManager;

static void CJPEG_errorExit(j_common_ptr info) {
    CJPEG_ErrorManager *manager = (CJPEG_ErrorManager *)info->err;
    (*info->err->format_message)(info, manager->message);
    longjmp(manager->escape, 1);
}

static void CJPEG_outputMessage(j_common_ptr info) { (void)info; } // warnings: never printed

/// Compresses `height` rows of `width` pixels (`components` bytes each: 3 RGB or 1 grey, rows `stride` bytes
/// apart) at `quality` (1...100). On success returns 0 and sets `*output`/`*outputSize` to a malloc'd buffer the
/// caller frees with CJPEG_free. On failure returns nonzero with libjpeg's message in `message`.
static inline int CJPEG_compress(const unsigned char *pixels, unsigned int width, unsigned int height,
                                 int components, size_t stride, int quality,
                                 unsigned char **output, unsigned long *outputSize,
                                 char *message, size_t messageCapacity) {
    struct jpeg_compress_struct info;
    CJPEG_ErrorManager errors;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = CJPEG_errorExit;
    errors.base.output_message = CJPEG_outputMessage;
    errors.message[0] = 0;
    if (setjmp(errors.escape)) {
        snprintf(message, messageCapacity, "%s", errors.message);
        jpeg_destroy_compress(&info);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = width;
    info.image_height = height;
    info.input_components = components;
    info.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *output = buffer;
    *outputSize = size;
    return 0;
}

/// Reads a JPEG in memory: its size always, and its pixels as RGB (3 bytes a pixel, libjpeg converting grey) when
/// `pixels` is not NULL, into `capacity` bytes (width * height * 3 from a first call without pixels). Returns 0 on
/// success, nonzero with libjpeg's message in `message`.
static inline int CJPEG_decompress(const unsigned char *data, unsigned long size, unsigned int *width,
                                   unsigned int *height, unsigned char *pixels, size_t capacity,
                                   char *message, size_t messageCapacity) {
    struct jpeg_decompress_struct info;
    CJPEG_ErrorManager errors;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = CJPEG_errorExit;
    errors.base.output_message = CJPEG_outputMessage;
    errors.message[0] = 0;
    if (setjmp(errors.escape)) {
        snprintf(message, messageCapacity, "%s", errors.message);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    *width = info.image_width;
    *height = info.image_height;
    if (pixels == NULL) {
        jpeg_destroy_decompress(&info);
        return 0;
    }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    if (stride * info.output_height > capacity) {
        snprintf(message, messageCapacity, "decoded image (%ux%u) is larger than the buffer", info.output_width,
                 info.output_height);
        jpeg_destroy_decompress(&info);
        return 2;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * stride;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return 0;
}

/// Decodes one JPEG-compressed TIFF tile to RGB: first `tables` (the TIFF's JPEGTables tag, an abbreviated
/// table-specification stream; NULL or 0 bytes when each tile carries its own tables), then the tile's stream
/// `data`. `ycbcr` 1: the stream's components are YCbCr (TIFF photometric YCbCr) and become RGB; 0: they are
/// RGB already (photometric RGB, as Aperio writes its "JPEG/RGB" tiles, with no Adobe marker) and pass unconverted.
/// Everything else is libjpeg's default (islow DCT, fancy upsampling): what libtiff's JPEG codec uses under
/// OpenSlide 3.4.1's TIFFRGBAImage reads, so the pixels are the same. Writes `width` x `height` pixels, rows
/// `stride` bytes apart. Returns 0 on success; 1 with libjpeg's message for a libjpeg error; 2 when the tile is not
/// `width` x `height` x 3 components; 3 when libjpeg warned (a corrupt or truncated stream it patched up).
static inline int CJPEG_decompressTile(const unsigned char *tables, unsigned long tablesSize,
                                       const unsigned char *data, unsigned long size, int ycbcr,
                                       unsigned int width, unsigned int height, unsigned char *pixels,
                                       size_t stride, char *message, size_t messageCapacity) {
    struct jpeg_decompress_struct info;
    CJPEG_ErrorManager errors;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = CJPEG_errorExit;
    errors.base.output_message = CJPEG_outputMessage;
    errors.message[0] = 0;
    if (setjmp(errors.escape)) {
        snprintf(message, messageCapacity, "%s", errors.message);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    jpeg_create_decompress(&info);
    if (tables != NULL && tablesSize > 0) {
        jpeg_mem_src(&info, tables, tablesSize);
        jpeg_read_header(&info, FALSE);
    }
    jpeg_mem_src(&info, data, size);
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK || info.num_components != 3 || info.image_width != width
        || info.image_height != height) {
        snprintf(message, messageCapacity, "the tile's JPEG is %ux%u with %d components, not %ux%u RGB",
                 info.image_width, info.image_height, info.num_components, width, height);
        jpeg_destroy_decompress(&info);
        return 2;
    }
    info.jpeg_color_space = ycbcr ? JCS_YCbCr : JCS_RGB;
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * stride;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    long warnings = errors.base.num_warnings;
    jpeg_destroy_decompress(&info);
    if (warnings > 0) {
        snprintf(message, messageCapacity, "libjpeg warned %ld time(s) while decoding the tile", warnings);
        return 3;
    }
    return 0;
}

static inline void CJPEG_free(unsigned char *buffer) { free(buffer); }

#endif

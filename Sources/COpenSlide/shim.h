#ifndef COPENSLIDE_SHIM_H
#define COPENSLIDE_SHIM_H
#include <openslide/openslide.h>
#endif

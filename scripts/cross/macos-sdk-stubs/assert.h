/* See TargetConditionals.h: type-checking only, never linked. */
#pragma once
#define assert(x) ((void)0)

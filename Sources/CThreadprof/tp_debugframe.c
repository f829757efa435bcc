/* .debug_frame fallback for modules without .eh_frame_hdr (placeholder). */
#include "tp_unwind_internal.h"

int tp_debugframe_build(tp_unwinder *u, tp_module *m)
{
  (void)u, (void)m;
  return 0;
}

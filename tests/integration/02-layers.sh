#!/bin/sh
# Includes and calls point down the layers of DESIGN.md (.ci/layers.sh):
# no lower layer includes a higher one's header or calls into main.c.
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
exec sh "$TOP/.ci/layers.sh"

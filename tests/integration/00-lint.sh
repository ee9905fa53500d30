#!/bin/sh
# The banned-function check of STYLE.md, as part of make check.
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
exec sh "$TOP/.ci/lint.sh"

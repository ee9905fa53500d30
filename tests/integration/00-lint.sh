#!/bin/sh
# The banned-function check of STYLE.md, as part of make check.
exec sh "$TOP/.ci/lint.sh"

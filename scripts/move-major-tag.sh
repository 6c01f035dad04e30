#!/usr/bin/env bash
# Moves the major tag (v1) to a release tag vX.Y.Z and pushes it, so workflows that use
# `…@v1` get the release, as actions/checkout does. Run by .github/workflows/release.yml when a
# release is published; needs a clone whose `origin` accepts the push.
#
#   bash scripts/move-major-tag.sh v1.2.3
#
# A patch to an older line (v1.2.4 published after v1.3.0) leaves v1 on the newest release.
set -euo pipefail

tag="${1:-}"
if [[ ! "$tag" =~ ^v([0-9]+)\.[0-9]+\.[0-9]+$ ]]; then
  echo "::error::The release tag '${tag}' is not vMAJOR.MINOR.PATCH (e.g. v1.2.3), so there is no major tag to move: tag the release that way and publish it again."
  exit 1
fi
major="v${BASH_REMATCH[1]}"

git fetch --quiet --no-tags origin "+refs/tags/${tag}:refs/tags/${tag}"
commit=$(git rev-parse "refs/tags/${tag}^{commit}")

newest=$(git ls-remote --tags --refs origin "refs/tags/${major}.*" |
  sed 's|.*refs/tags/||' | grep -E "^${major}\.[0-9]+\.[0-9]+$" | sort -V | tail -n 1)
if [ "$newest" != "$tag" ]; then
  echo "${major} stays where it is: ${newest} is newer than ${tag}."
  exit 0
fi

git tag --force "$major" "$commit"
git push --force origin "refs/tags/${major}"
echo "Moved ${major} to ${tag} (${commit})."

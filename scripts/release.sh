#!/usr/bin/env bash
# Builds a tfdrift release: what `make release` runs and what the GitHub
# Action's install.sh downloads.
#
#   scripts/release.sh VERSION [OUTDIR]      # OUTDIR defaults to dist
#
# VERSION is the release tag, vX.Y.Z or vX.Y.Z-PRERELEASE (make release
# passes `git describe`, which is the tag on a tagged commit). OUTDIR gets:
#   tfdrift_linux_amd64 tfdrift_linux_arm64 tfdrift_darwin_amd64 tfdrift_darwin_arm64
#       static binaries (CGO off, -trimpath) whose `tfdrift version` prints VERSION;
#   tfdrift-chart-X.Y.Z.tgz
#       the Helm chart with version and appVersion X.Y.Z, so the image it
#       runs by default is the release's (tfdrift/tfdrift:X.Y.Z);
#   checksums.txt
#       the SHA-256 of each file above, in sha256sum's format: what
#       install.sh verifies a download against before running it.
# Upload all of OUTDIR to the GitHub release named VERSION, and build and
# push the image with the command printed at the end.
#
# RELEASE_PLATFORMS (default "linux/amd64 linux/arm64 darwin/amd64
# darwin/arm64") narrows the binaries, for a quick local try. Nothing is
# downloaded but Go modules.
set -euo pipefail

fail() {
	echo "release: $*" >&2
	exit 1
}

version=${1:-}
out=${2:-dist}
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
	fail "version '$version' is not a release tag (vX.Y.Z or vX.Y.Z-rc.1): tag the commit, or pass VERSION=vX.Y.Z"
[[ "$version" != *-dirty ]] || fail "the working tree has uncommitted changes ($version)"
plain=${version#v}
platforms=${RELEASE_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}

cd "$(dirname "$0")/.."
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/tfdrift_* "$out"/tfdrift-chart-*.tgz "$out"/checksums.txt

for p in $platforms; do
	os=${p%/*} arch=${p#*/}
	echo "building tfdrift $version for $os/$arch" >&2
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false \
		-ldflags "-s -w -X main.version=$version" -o "$out/tfdrift_${os}_${arch}" ./cmd/tfdrift
done

# The chart, stamped with the release: the image tag defaults to appVersion.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R deploy/helm/tfdrift "$tmp/tfdrift"
sed -i.orig -e "s/^version: .*/version: $plain/" -e "s/^appVersion: .*/appVersion: \"$plain\"/" "$tmp/tfdrift/Chart.yaml"
rm "$tmp/tfdrift/Chart.yaml.orig"
grep -q "^appVersion: \"$plain\"$" "$tmp/tfdrift/Chart.yaml" || fail "could not stamp the chart's appVersion"
# A reproducible archive: sorted, no owners or times.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp" -cf - tfdrift | gzip -n >"$out/tfdrift-chart-$plain.tgz"

(
	cd "$out"
	if command -v sha256sum >/dev/null; then
		sha256sum tfdrift_* "tfdrift-chart-$plain.tgz" >checksums.txt
	else
		shasum -a 256 tfdrift_* "tfdrift-chart-$plain.tgz" >checksums.txt
	fi
)
echo "release $version in $out:" >&2
ls -1 "$out" >&2
echo "image: docker build -f deploy/Dockerfile --build-arg VERSION=$version -t tfdrift/tfdrift:$plain ." >&2

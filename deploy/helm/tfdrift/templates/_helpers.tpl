{{/* Names, labels and the checks every template relies on. */}}

{{- define "tfdrift.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tfdrift.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "tfdrift.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tfdrift.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tfdrift.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "tfdrift.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: detector
{{- end -}}

{{- define "tfdrift.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tfdrift.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tfdrift.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "tfdrift.secretName" -}}
{{- default (include "tfdrift.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "tfdrift.configMapName" -}}
{{- default (include "tfdrift.fullname" .) .Values.existingConfigMap -}}
{{- end -}}

{{/* SQLite keeps its file on a volume only one pod may write. */}}
{{- define "tfdrift.usesPVC" -}}
{{- if and (not .Values.postgres.enabled) .Values.persistence.enabled -}}true{{- end -}}
{{- end -}}

{{/*
tfdrift.validate stops a release that cannot work, with the reason, instead
of leaving pods that crash or corrupt the store.
*/}}
{{- define "tfdrift.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.postgres.enabled) -}}
{{- fail "replicaCount > 1 needs postgres.enabled: SQLite is one file on a ReadWriteOnce volume that only one replica may write" -}}
{{- end -}}
{{- if and .Values.postgres.enabled (not .Values.postgres.dsn) (not .Values.postgres.existingSecret) (not .Values.existingSecret) -}}
{{- fail "postgres.enabled needs postgres.dsn, postgres.existingSecret, or an existingSecret holding TFDRIFT_DATABASE" -}}
{{- end -}}
{{- if and .Values.podDisruptionBudget.enabled .Values.podDisruptionBudget.minAvailable .Values.podDisruptionBudget.maxUnavailable -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" -}}
{{- end -}}
{{- end -}}

{{/*
tfdrift.falcoSecret is the shared secret for /falco: the configured value,
else the one this release generated before (so Falco's copy stays valid
across upgrades), else a new random one.
*/}}
{{- define "tfdrift.falcoSecret" -}}
{{- $given := index .Values.secrets "TFDRIFT_FALCO_SECRET" | default "" -}}
{{- if $given -}}
{{- $given -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "tfdrift.fullname" .) -}}
{{- if and $existing $existing.data (hasKey $existing.data "TFDRIFT_FALCO_SECRET") -}}
{{- index $existing.data "TFDRIFT_FALCO_SECRET" | b64dec -}}
{{- else -}}
{{- randAlphaNum 40 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
tfdrift.goMemLimit: the GOMEMLIMIT the container runs with. goMemLimit when
set ("off" for none); otherwise goMemLimitPercent of resources.limits.memory,
so that the Go runtime collects harder as it nears the limit instead of
being killed past it; nothing without a memory limit.
*/}}
{{- define "tfdrift.goMemLimit" -}}
{{- $v := toString (default "" .Values.goMemLimit) -}}
{{- if eq $v "off" -}}
{{- else if $v -}}
{{- $v -}}
{{- else -}}
{{- $q := toString (dig "limits" "memory" "" (default (dict) .Values.resources)) -}}
{{- if $q -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $num $q -}}
{{- $mult := dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 -}}
{{- if or (not $num) (not (hasKey $mult $unit)) -}}
{{- fail (printf "resources.limits.memory %q: want a number with an optional k, M, G, T, Ki, Mi, Gi or Ti suffix (or set goMemLimit)" $q) -}}
{{- end -}}
{{- printf "%d" (int64 (floor (divf (mulf $num (get $mult $unit) .Values.goMemLimitPercent) 100))) -}}
{{- end -}}
{{- end -}}
{{- end -}}

// Package chartmem tests that the Helm chart gives the daemon a GOMEMLIMIT
// below its container's memory limit, by rendering the chart with helm
// (make tools builds it). It holds tests only and imports nothing of
// tfdrift.
package chartmem

"""Telemetry through OpenTelemetry (extra `scorehost[telemetry]`): a request span per /score
call, run() exceptions, the server's logs and the script's prints, and request metrics, to
Application Insights (Azure Monitor's exporter) and/or any OTLP collector."""

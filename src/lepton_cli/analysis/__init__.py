"""Analysis over normalised data: cost breakdowns, waste findings, forecasts, anomalies."""

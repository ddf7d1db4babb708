"""The report's colours, shared by the PNG charts and the workbook's native charts."""

THIS_COLOUR = "#C0392B"
LAST_COLOUR = "#5D7FA3"
PROJECTION_COLOUR = "#E59866"

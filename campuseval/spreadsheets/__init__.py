"""Excel in and out, for every app: writing sheets bureaus can trust (`writing`), reading
uploaded sheets row by row (`reading`) and the download response (`responses`). A bottom
module: it knows openpyxl and Django's HTTP responses, nothing of the domain."""

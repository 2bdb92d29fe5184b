# Export data sets shipped with R packages, for the Python tests to read.
# Run from the repository root: Rscript tests/reference/export_data.R
suppressPackageStartupMessages(library(psych))
dir.create("tests/reference/data", showWarnings = FALSE, recursive = TRUE)
# psych::bfi: 2800 respondents, 25 six-point personality items with missing values,
# plus gender, education and age (Revelle, Wilt & Rosenthal 2010).
write.csv(psych::bfi, "tests/reference/data/bfi.csv", row.names = FALSE, na = "")
cat("wrote tests/reference/data/bfi.csv\n")

# Fit the benchmark frame with survival::coxph (whole process, for farm-bench): Rscript benchmarks/fit_coxph.R FRAME.csv
suppressMessages(library(survival))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
covs <- setdiff(names(d), c("ccode", "mtdsg_no", "start", "stop", "event"))
f <- coxph(as.formula(paste("Surv(start, stop, event) ~", paste(covs, collapse = " + "))), data = d,
           ties = "efron", cluster = ccode)
print(cbind(estimate = coef(f), std_error = sqrt(diag(vcov(f)))), digits = 10)

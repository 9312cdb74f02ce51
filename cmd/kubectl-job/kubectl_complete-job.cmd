@REM kubectl (1.26 or newer) runs this to complete "kubectl job <TAB>": keep it on PATH next to kubectl-job.exe.
@kubectl-job.exe __complete %*

# tflint configuration for terraform/**. Plugins come from TFLINT_PLUGIN_DIR (filled by
# scripts/install-lint-tools.sh); never run `tflint --init` (no access to GitHub releases).
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

plugin "aws" {
  enabled = true
}

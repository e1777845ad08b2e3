"""The evaluation workbench: every suite under one command, configurations compared, reports with charts."""

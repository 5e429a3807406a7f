// depin-cli entry point: see cli/cli.h for the commands.
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) { return depin::cli::RunCli(argc, argv, std::cout, std::cerr); }

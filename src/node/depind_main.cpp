// depind: the depin full node daemon. All of the work is in node/init.
#include "node/init.h"

int main(int argc, char** argv) { return depin::node::RunNode(argc, argv); }

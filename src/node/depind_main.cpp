// depind entry point; wiring lands with node/init.
int main() { return 0; }

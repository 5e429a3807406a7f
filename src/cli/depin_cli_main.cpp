// depin-cli entry point; commands land with cli/.
int main() { return 0; }

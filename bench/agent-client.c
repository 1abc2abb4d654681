/* The floor `tokenvault token` is measured against (scripts/bench-cli.sh): a static C program
 * doing what the command line does when the agent answers, and nothing else. It connects to
 * the agent's socket, writes one request line, reads the reply line, and prints the token
 * (the reply's "stdout", unescaped only as far as a token needs).
 *
 *   cc -O2 -static -o agent-client bench/agent-client.c
 *   agent-client SOCKET REQUEST-LINE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: agent-client SOCKET REQUEST-LINE\n");
        return 2;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (fd < 0 || strlen(argv[1]) >= sizeof addr.sun_path) return 3;
    strcpy(addr.sun_path, argv[1]);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("agent-client: connect");
        return 3;
    }
    size_t length = strlen(argv[2]);
    char *request = malloc(length + 1);
    memcpy(request, argv[2], length);
    request[length] = '\n';
    for (size_t sent = 0; sent < length + 1;) {
        ssize_t n = write(fd, request + sent, length + 1 - sent);
        if (n <= 0) return 3;
        sent += (size_t)n;
    }
    static char reply[1 << 16];
    size_t got = 0;
    while (got < sizeof reply - 1) {
        ssize_t n = read(fd, reply + got, sizeof reply - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        if (memchr(reply + got - n, '\n', (size_t)n)) break;
    }
    reply[got] = 0;
    char *out = strstr(reply, "\"stdout\":\"");
    if (!out) {
        fprintf(stderr, "agent-client: no stdout in the reply\n");
        return 4;
    }
    out += strlen("\"stdout\":\"");
    char *end = strchr(out, '"');
    if (!end) return 4;
    /* A raw token ends with "\n", escaped in JSON. */
    if (end - out >= 2 && end[-2] == '\\' && end[-1] == 'n') end -= 2;
    fwrite(out, 1, (size_t)(end - out), stdout);
    fputc('\n', stdout);
    return 0;
}

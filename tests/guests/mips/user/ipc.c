/* System V IPC under user-mode emulation: a message queue (send, receive by type, stat),
 * a semaphore set (SETVAL/GETVAL, semop, SETALL/GETALL), and a shared memory segment that a
 * forked child writes and the parent reads, then detach and remove. */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

struct msg {
    long type;
    char text[32];
};

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

int main(void) {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    struct msg m1 = {1, "first"}, m2 = {2, "second"}, r;
    msgsnd(q, &m1, sizeof m1.text, 0);
    msgsnd(q, &m2, sizeof m2.text, 0);
    struct msqid_ds ds;
    msgctl(q, IPC_STAT, &ds);
    printf("msg: qnum=%lu mode=%o\n", (unsigned long)ds.msg_qnum, ds.msg_perm.mode & 0777);
    ssize_t n = msgrcv(q, &r, sizeof r.text, 2, 0);
    printf("msg: got %zd type=%ld '%s'\n", n, r.type, r.text);
    msgrcv(q, &r, sizeof r.text, 0, 0);
    printf("msg: got type=%ld '%s'\n", r.type, r.text);
    printf("msg: rmid=%d\n", msgctl(q, IPC_RMID, 0));

    int s = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    union semun a = {.val = 5};
    semctl(s, 1, SETVAL, a);
    struct sembuf op = {1, -2, 0};
    semop(s, &op, 1);
    printf("sem: val=%d\n", semctl(s, 1, GETVAL));
    unsigned short vals[3] = {7, 8, 9}, back[3] = {0};
    a.array = vals;
    semctl(s, 0, SETALL, a);
    a.array = back;
    semctl(s, 0, GETALL, a);
    struct semid_ds sds;
    a.buf = &sds;
    semctl(s, 0, IPC_STAT, a);
    printf("sem: all=%d,%d,%d nsems=%lu\n", back[0], back[1], back[2], (unsigned long)sds.sem_nsems);
    semctl(s, 0, IPC_RMID);

    int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
    char *p = shmat(id, 0, 0);
    strcpy(p, "parent");
    pid_t c = fork();
    if (c == 0) {
        strcpy(p + 4096, "written by the child");
        _exit(0);
    }
    waitpid(c, 0, 0);
    struct shmid_ds shm;
    shmctl(id, IPC_STAT, &shm);
    printf("shm: '%s' '%s' size=%zu nattch=%lu\n", p, p + 4096, (size_t)shm.shm_segsz, (unsigned long)shm.shm_nattch);
    printf("shm: dt=%d rmid=%d\n", shmdt(p), shmctl(id, IPC_RMID, 0));
    return 0;
}

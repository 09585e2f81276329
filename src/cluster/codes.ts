// Message codes of serve --workers (the primary process and its workers), each with the sentence the codes doc shows.

export const ClusterCodes = {
  CLUSTER_STARTING: 'cssh serve is starting its worker processes (serve --workers); each is a full SSH server sharing the listen socket.',
  CLUSTER_WORKER_LISTENING: 'A worker process of serve --workers is listening and takes connections.',
  CLUSTER_WORKER_EXITED: 'A worker process of serve --workers ended while the server was running (crash, kill, out of memory); its connections are gone, its containers are removed and a new worker takes its place.',
  CLUSTER_WORKER_REPLACED: 'A new worker process took the place of one that had ended.',
  CLUSTER_WORKER_START_FAILED: 'A replacement worker process could not start; the primary tries again with a growing delay.',
  CLUSTER_WORKER_CONTAINERS_REMOVED: 'The containers of a worker process that ended were removed by the primary.',
  CLUSTER_WORKER_KILLED: 'A worker process did not end in time after a forced stop and was killed; the shutdown sweep removes its containers.',
  CLUSTER_PRIMARY_GONE: 'A worker process lost its primary (the primary was killed); it stops its sessions and exits.',
  CLUSTER_SLOT_UNANSWERED: 'A worker asked the primary for a connection slot (security.maxConnections, maxConnectionsPerUser are counted server-wide) and got no answer in time; that connection is refused.',
} as const;

export type ClusterCode = keyof typeof ClusterCodes;

// The rendezvous store of a process group: a small key-value server on the master (rank 0) and the
// client every rank uses. Gloo exchanges its transport addresses through it (connectFullMesh), and
// it doubles as the group's record of who is present: a rank says hello when it joins and bye when
// it leaves cleanly, so after a failed collective the survivors can name the rank that went away.
#pragma once

#include <gloo/rendezvous/store.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace axon_dist {

// Runs on a thread of its own in the master process, so collectives never wait for the JS event loop.
class StoreServer {
 public:
  // Listens on host:port (port 0 picks a free one); throws std::runtime_error when it cannot.
  StoreServer(const std::string& host, int port);
  ~StoreServer();
  int port() const { return port_; }

 private:
  void serve();
  bool handle(int fd);  // false when the connection closed
  void dropClient(int fd);

  int listenFd_ = -1;
  int port_ = 0;
  int wakeFds_[2] = {-1, -1};  // a pipe that tells serve() to stop
  std::map<std::string, std::vector<char>> data_;
  std::map<int, int> rankOfFd_;  // connections that said hello → their rank
  std::set<int> clients_;
  std::set<int> gone_;  // ranks whose connection closed without a bye
  std::thread thread_;
};

// One rank's connection to the store. gloo calls set/get/wait from the thread that connects the
// mesh; afterwards only the group's communication thread uses it (goneRanks).
class StoreClient : public gloo::rendezvous::Store {
 public:
  // Connects to host:port, retrying until `timeout` (the master may start after this rank).
  StoreClient(const std::string& host, int port, std::chrono::milliseconds timeout);
  ~StoreClient() override;

  void set(const std::string& key, const std::vector<char>& data) override;
  std::vector<char> get(const std::string& key) override;
  void wait(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override;

  void hello(int rank);
  void bye();
  // Ranks that left without a bye; throws when the store itself cannot be reached.
  std::vector<int> goneRanks();
  // The local address of the connection to the master: the interface the peers can reach us on.
  std::string localAddress() const { return localAddress_; }

 private:
  std::vector<char> request(char op, const std::string& key, const std::vector<char>& value);

  int fd_ = -1;
  std::string localAddress_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
};

}  // namespace axon_dist

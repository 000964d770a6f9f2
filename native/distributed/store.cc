#include "store.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace axon_dist {

namespace {

// Requests: op (1 byte), key length (u32), key, value length (u32), value.
// Replies: status (1 byte: 0 found/ok, 1 not found), value length (u32), value.
constexpr char kSet = 'S', kGet = 'G', kCheck = 'C', kHello = 'H', kBye = 'B', kGone = 'L';
constexpr uint32_t kMaxField = 64u << 20;  // no rendezvous value comes near this

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool sendAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

bool recvAll(int fd, void* data, size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    ssize_t k = ::recv(fd, p, n, 0);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

bool sendField(int fd, const char* data, size_t n) {
  uint32_t len = static_cast<uint32_t>(n);
  return sendAll(fd, &len, 4) && (n == 0 || sendAll(fd, data, n));
}

bool recvField(int fd, std::vector<char>& out) {
  uint32_t len = 0;
  if (!recvAll(fd, &len, 4) || len > kMaxField) return false;
  out.resize(len);
  return len == 0 || recvAll(fd, out.data(), len);
}

void setTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

addrinfo* resolve(const std::string& host, int port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) throw std::runtime_error("cannot resolve '" + host + "': " + gai_strerror(rc));
  return res;
}

std::string addressText(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, buf, sizeof buf);
  else if (addr.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, buf, sizeof buf);
  return buf;
}

}  // namespace

StoreServer::StoreServer(const std::string& host, int port) {
  addrinfo* res = resolve(host, port, true);
  std::string lastError = "no address";
  for (addrinfo* ai = res; ai != nullptr && listenFd_ < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 128) == 0) {
      listenFd_ = fd;
    } else {
      lastError = errnoText("bind/listen");
      ::close(fd);
    }
  }
  freeaddrinfo(res);
  if (listenFd_ < 0)
    throw std::runtime_error("the store cannot listen on " + host + ":" + std::to_string(port) + " (" + lastError +
                             ")");
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listenFd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                            : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  if (::pipe2(wakeFds_, O_CLOEXEC) != 0) {
    ::close(listenFd_);
    throw std::runtime_error(errnoText("store: pipe"));
  }
  thread_ = std::thread([this] { serve(); });
}

StoreServer::~StoreServer() {
  char byte = 0;
  if (::write(wakeFds_[1], &byte, 1) < 0) {
    // the thread is then stopped by the closed descriptors below at the latest
  }
  if (thread_.joinable()) thread_.join();
  for (int fd : clients_) ::close(fd);
  ::close(listenFd_);
  ::close(wakeFds_[0]);
  ::close(wakeFds_[1]);
}

void StoreServer::serve() {
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({wakeFds_[0], POLLIN, 0});
    fds.push_back({listenFd_, POLLIN, 0});
    for (int fd : clients_) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents & POLLIN) {
      int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        // A peer that sends half a request must not stall the store forever.
        setTimeouts(fd, std::chrono::seconds(10));
        clients_.insert(fd);
      }
    }
    for (size_t i = 2; i < fds.size(); i++) {
      if (fds[i].revents == 0) continue;
      if (!handle(fds[i].fd)) dropClient(fds[i].fd);
    }
  }
}

void StoreServer::dropClient(int fd) {
  auto it = rankOfFd_.find(fd);
  if (it != rankOfFd_.end()) {
    gone_.insert(it->second);
    rankOfFd_.erase(it);
  }
  clients_.erase(fd);
  ::close(fd);
}

bool StoreServer::handle(int fd) {
  char op = 0;
  std::vector<char> key, value;
  if (!recvAll(fd, &op, 1) || !recvField(fd, key) || !recvField(fd, value)) return false;
  std::string k(key.begin(), key.end());
  char status = 0;
  std::vector<char> reply;
  switch (op) {
    case kSet:
      data_[k] = value;
      break;
    case kGet: {
      auto it = data_.find(k);
      if (it == data_.end())
        status = 1;
      else
        reply = it->second;
      break;
    }
    case kCheck:
      status = data_.count(k) ? 0 : 1;
      break;
    case kHello:
      rankOfFd_[fd] = std::atoi(k.c_str());
      break;
    case kBye:
      rankOfFd_.erase(fd);
      break;
    case kGone: {
      std::string list;
      for (int r : gone_) list += (list.empty() ? "" : ",") + std::to_string(r);
      reply.assign(list.begin(), list.end());
      break;
    }
    default:
      return false;
  }
  return sendAll(fd, &status, 1) && sendField(fd, reply.data(), reply.size());
}

StoreClient::StoreClient(const std::string& host, int port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string lastError;
  while (fd_ < 0) {
    addrinfo* res = resolve(host, port, false);
    for (addrinfo* ai = res; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
      int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        fd_ = fd;
      } else {
        lastError = errnoText("connect");
        ::close(fd);
      }
    }
    freeaddrinfo(res);
    if (fd_ >= 0) break;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("cannot reach the master's store at " + host + ":" + std::to_string(port) + " within " +
                               std::to_string(timeout.count()) + " ms (" + lastError + "); is rank 0 running?");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setTimeouts(fd_, timeout);
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len);
  localAddress_ = addressText(local);
}

StoreClient::~StoreClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<char> StoreClient::request(char op, const std::string& key, const std::vector<char>& value) {
  std::lock_guard<std::mutex> lock(mutex_);
  char status = 0;
  std::vector<char> reply;
  if (!sendAll(fd_, &op, 1) || !sendField(fd_, key.data(), key.size()) || !sendField(fd_, value.data(), value.size()) ||
      !recvAll(fd_, &status, 1) || !recvField(fd_, reply))
    throw std::runtime_error("lost the connection to the master's store (rank 0)");
  if (status != 0) throw std::out_of_range(key);
  return reply;
}

void StoreClient::set(const std::string& key, const std::vector<char>& data) { request(kSet, key, data); }

std::vector<char> StoreClient::get(const std::string& key) {
  wait({key});
  return request(kGet, key, {});
}

void StoreClient::wait(const std::vector<std::string>& keys) { wait(keys, timeout_); }

void StoreClient::wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const std::string& key : keys) {
    for (;;) {
      try {
        request(kCheck, key, {});
        break;
      } catch (const std::out_of_range&) {
        if (std::chrono::steady_clock::now() > deadline)
          throw std::runtime_error("timed out after " + std::to_string(timeout.count()) +
                                   " ms waiting for the other ranks to join (key '" + key + "' never appeared)");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }
}

void StoreClient::hello(int rank) { request(kHello, std::to_string(rank), {}); }

void StoreClient::bye() {
  try {
    request(kBye, "", {});
  } catch (const std::exception&) {
    // the master already left: nothing to tell it
  }
}

std::vector<int> StoreClient::goneRanks() {
  std::vector<char> reply = request(kGone, "", {});
  std::vector<int> ranks;
  std::string text(reply.begin(), reply.end());
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    ranks.push_back(std::atoi(text.substr(start, comma - start).c_str()));
    start = comma + 1;
  }
  return ranks;
}

}  // namespace axon_dist

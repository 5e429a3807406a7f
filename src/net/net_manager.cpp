#include "net/net_manager.h"

#include "net/net_manager_impl.h"

namespace depin::net {

NetManager::NetManager(const consensus::ChainParams& params, chain::Chainstate& chainstate,
                       chain::Mempool* mempool, NetOptions options)
    : impl_(std::make_unique<Impl>(params, chainstate, mempool, std::move(options))) {}
NetManager::~NetManager() = default;
Status NetManager::Start() { return impl_->Start(); }
void NetManager::Stop() { impl_->Stop(); }
uint16_t NetManager::listen_port() const { return impl_->listen_port(); }
std::vector<std::string> NetManager::LocalAddresses() const { return impl_->LocalAddresses(); }
std::vector<PeerInfo> NetManager::GetPeerInfo() const { return impl_->GetPeerInfo(); }
size_t NetManager::ConnectionCount(bool inbound, bool outbound) const {
  return impl_->ConnectionCount(inbound, outbound);
}
NetTotals NetManager::Totals() const { return impl_->Totals(); }
SyncProgress NetManager::Progress() const { return impl_->Progress(); }
Status NetManager::AddNode(const std::string& address, const std::string& command) {
  return impl_->AddNode(address, command);
}
Status NetManager::DisconnectNode(const std::string& address, std::optional<uint64_t> id) {
  return impl_->DisconnectNode(address, id);
}
Status NetManager::SetBan(const std::string& subnet, const std::string& command, uint64_t seconds,
                          bool absolute) {
  return impl_->SetBan(subnet, command, seconds, absolute);
}
std::vector<BanEntry> NetManager::ListBanned() const { return impl_->ban_man().List(); }
void NetManager::ClearBanned() { impl_->ClearBanned(); }
void NetManager::PingAll() { impl_->PingAll(); }
AddrMan& NetManager::addr_man() { return impl_->addr_man(); }
BanMan& NetManager::ban_man() { return impl_->ban_man(); }

}  // namespace depin::net

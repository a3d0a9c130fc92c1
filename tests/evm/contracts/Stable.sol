// SPDX-License-Identifier: MIT
// A USDT-like ERC-20 for tests/cli/evm_anvil.sh: its owner blacklists an account
// (AddedBlackList / RemovedBlackList, the address unindexed, as Tether's TetherToken emits them),
// a blacklisted account cannot send, and destroyBlackFunds zeroes a blacklisted balance and the
// supply with it, emitting DestroyedBlackFunds(address, uint) and no Transfer (as mainnet USDT).
pragma solidity ^0.8.20;

contract Stable {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;
    address public owner;
    mapping(address => uint256) public balanceOf;
    mapping(address => bool) public isBlackListed;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event AddedBlackList(address _user);
    event RemovedBlackList(address _user);
    event DestroyedBlackFunds(address _blackListedUser, uint256 _balance);

    constructor(string memory n, string memory s, uint8 d, uint256 supply) {
        name = n;
        symbol = s;
        decimals = d;
        owner = msg.sender;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 v) external returns (bool) {
        require(!isBlackListed[msg.sender], "blacklisted");
        require(balanceOf[msg.sender] >= v, "balance");
        balanceOf[msg.sender] -= v;
        balanceOf[to] += v;
        emit Transfer(msg.sender, to, v);
        return true;
    }

    function addBlackList(address user) external {
        require(msg.sender == owner, "owner");
        isBlackListed[user] = true;
        emit AddedBlackList(user);
    }

    function removeBlackList(address user) external {
        require(msg.sender == owner, "owner");
        isBlackListed[user] = false;
        emit RemovedBlackList(user);
    }

    function destroyBlackFunds(address user) external {
        require(msg.sender == owner, "owner");
        require(isBlackListed[user], "not blacklisted");
        uint256 dirty = balanceOf[user];
        balanceOf[user] = 0;
        totalSupply -= dirty;
        emit DestroyedBlackFunds(user, dirty);
    }
}
